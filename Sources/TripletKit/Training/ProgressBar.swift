import Foundation

/// Training progress on standard error: a bar redrawn in place on a terminal (rate, ETA, loss, active
/// fraction), plain lines every `lineEvery` steps and at the end when standard error is piped.
public final class ProgressBar {
    private let total: Int
    private let title: String
    private let interactive: Bool
    private let lineEvery: Int
    private let unit: String
    private let start = DispatchTime.now().uptimeNanoseconds
    private var lastDraw: UInt64 = 0

    /// A bar for `total` steps of `itemsPerStep` items each (images per batch).
    /// `unit` names the items in the rate ("img" for images/s).
    public init(
        title: String, total: Int, interactive: Bool = isatty(STDERR_FILENO) != 0, lineEvery: Int = 50,
        unit: String = "img"
    ) {
        self.title = title
        self.unit = unit
        self.total = max(total, 1)
        self.interactive = interactive
        self.lineEvery = max(lineEvery, 1)
    }

    /// Reports that `done` steps (covering `items` items) are finished, with the running loss and active fraction.
    public func update(done: Int, items: Int, loss: Double, activeFraction: Double) {
        let now = DispatchTime.now().uptimeNanoseconds
        let elapsed = Double(now - start) / 1e9
        let rate = elapsed > 0 ? Double(items) / elapsed : 0
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        let stats = String(
            format: "%@ %d/%d  %.0f %@/s  ETA %@  loss %.4f  active %.1f%%", title, done, total, rate, unit,
            Self.clock(eta), loss, 100 * activeFraction)
        if interactive {
            // Redraw at most 10 times a second, and always on the last step.
            guard now - lastDraw > 100_000_000 || done == total else { return }
            lastDraw = now
            let width = 24, filled = width * done / total
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            FileHandle.standardError.write(Data("\r\(bar) \(stats)\u{1B}[K".utf8))
            if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
        } else if done % lineEvery == 0 || done == total {
            FileHandle.standardError.write(Data((stats + "\n").utf8))
        }
    }

    /// Seconds as m:ss.
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d", s / 60, s % 60)
    }
}
