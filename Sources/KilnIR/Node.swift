/// Index of a node in `Graph.nodes`; a node's output value has the same index.
public typealias ValueID = Int

/// One operation of the graph. Every node produces one value.
public struct Node: Hashable, Sendable {
    public var op: Op
    public var inputs: [ValueID]
    public var constants: [ConstID]
    /// The module path of the layer that made the node (`layer1.0.conv1`); errors and kernel names use it.
    public var name: String
    public var shape: Shape
    /// Loop schedule chosen by the schedule pass; `nil` until then.
    public var schedule: Schedule?

    public init(op: Op, inputs: [ValueID], constants: [ConstID] = [], name: String, shape: Shape) {
        self.op = op
        self.inputs = inputs
        self.constants = constants
        self.name = name
        self.shape = shape
    }
}

/// How a kernel's loops are tiled and parallelised. Plain data: a schedule never changes results.
public enum Schedule: Hashable, Sendable, Codable {
    /// Implicit GEMM: register tile `rows × cols` (cols a multiple of the vector width),
    /// `pixelTile` output pixels per packed panel, output channels split into `channelChunks` tasks.
    case gemm(rows: Int, cols: Int, pixelTile: Int, channelChunks: Int)
    /// The implicit GEMM with output channels along the vector lanes: register tile `rows`
    /// channels (a multiple of the vector width) × `cols` pixels, the rest as in `gemm`. For maps
    /// whose pixels fill vectors badly (7×7: 49 pixels in 64 lanes).
    case gemmChannelLanes(rows: Int, cols: Int, pixelTile: Int, channelChunks: Int)
    /// Winograd F(m×m, 3×3), m = `outputTile` (4 or 2), for 3×3 stride-1 convs: (m+2)² GEMMs on
    /// a `rows × cols` register tile whose columns are m×m-pixel tiles, over groups of
    /// `tileGroup` blocks of `cols` tiles.
    case winograd(outputTile: Int, rows: Int, cols: Int, tileGroup: Int)
    /// Direct convolution over zero-padded phase planes (grouped and depthwise convs):
    /// `rows` output channels × `vectors` vectors of output positions per register tile.
    case direct(rows: Int, vectors: Int)
}
