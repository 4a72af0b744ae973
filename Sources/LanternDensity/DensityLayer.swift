/// One step of the density network, as the weights file lists it.
public struct DensityLayer: Equatable, Sendable {
    public enum Kind: UInt32, Sendable {
        case conv3x3ReLU = 1
        case conv3x3 = 2
        case conv1x1ReLU = 3
        case conv1x1 = 4
        /// 2x2 max pooling, stride 2; an odd last row or column is dropped.
        case maxPool2 = 5

        public var kernelSize: Int {
            switch self {
            case .conv3x3ReLU, .conv3x3: return 3
            case .conv1x1ReLU, .conv1x1: return 1
            case .maxPool2: return 0
            }
        }

        public var appliesReLU: Bool { self == .conv3x3ReLU || self == .conv1x1ReLU }
    }

    public let kind: Kind
    public let inputChannels: Int
    public let outputChannels: Int
    /// Weights `[out][in][ky][kx]`, then nothing; empty for pooling.
    public let weights: [Float]
    public let bias: [Float]

    public init(kind: Kind, inputChannels: Int, outputChannels: Int, weights: [Float], bias: [Float]) {
        self.kind = kind
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.weights = weights
        self.bias = bias
    }

    /// Multiply-accumulates per output pixel of this layer.
    public var macsPerOutputPixel: Int { kind.kernelSize * kind.kernelSize * inputChannels * outputChannels }
}
