/// Where the server listens and what it allows.
public struct ServeConfiguration: Sendable {
    /// The address to bind (loopback by default: put a TLS proxy in front to serve a network).
    public var host: String
    /// The port (0: any free port, told by `onRunning`).
    public var port: Int
    /// How many embedding workers (model copies) run at once.
    public var workers: Int
    /// Request limits.
    public var limits: ServeLimits
    /// The tokens for reads and writes.
    public var access: AccessControl
    /// Seconds a connection may stay idle (no request being read or answered) before it is closed.
    public var idleTimeout: Int

    /// A configuration; `access` defaults to open reads and refused writes.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, workers: Int = 2, limits: ServeLimits = ServeLimits(),
        access: AccessControl? = nil, idleTimeout: Int = 60
    ) {
        self.host = host
        self.port = port
        self.workers = workers
        self.limits = limits
        self.access = access ?? .writesRefused
        self.idleTimeout = idleTimeout
    }
}
