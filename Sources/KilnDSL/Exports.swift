// Users writing networks name shapes (`parameterTensor("cweight", [1, c, 1, 1])`).
@_exported import struct KilnIR.Shape
