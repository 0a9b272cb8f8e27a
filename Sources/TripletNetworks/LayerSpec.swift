/// The architecture of one layer: what the JSON sidecar of a checkpoint stores, and what rebuilds the
/// layer (`makeLayer`). Shapes follow PyTorch: Dense weight [out, in], Conv2D weight [out, in, k, k].
public enum LayerSpec: Codable, Equatable, Sendable {
    /// `nn.Linear(inputs, outputs, bias)`.
    case dense(inputs: Int, outputs: Int, bias: Bool)
    /// `nn.Conv2d(inChannels, outChannels, kernel, stride, padding, bias)`, square kernels.
    case conv2d(inChannels: Int, outChannels: Int, kernel: Int, stride: Int, padding: Int, bias: Bool)
    /// `nn.MaxPool2d(kernel, stride)`.
    case maxPool2d(kernel: Int, stride: Int)
    /// `nn.BatchNorm1d(features, eps, momentum)` on [N, F].
    case batchNorm1d(features: Int, eps: Float, momentum: Float)
    /// `nn.BatchNorm2d(channels, eps, momentum)` on [N, C, H, W].
    case batchNorm2d(channels: Int, eps: Float, momentum: Float)
    /// `nn.ReLU()`.
    case relu
    /// `nn.Dropout(p)`.
    case dropout(p: Float)
    /// `nn.Flatten()`: [N, …] → [N, product].
    case flatten
    /// `F.normalize(x, p=2, dim=1, eps=1e-12)` on [N, F].
    case l2Normalize
}
