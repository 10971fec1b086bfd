// `import Kiln` gives users the whole pipeline: the DSL to write networks, the zoo, the IR
// types that appear in the API, and the runtime's safetensors and seeded weights.
@_exported import KilnDSL
@_exported import KilnIR
@_exported import KilnRuntime
@_exported import KilnZoo
