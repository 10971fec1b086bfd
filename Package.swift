// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Kiln",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Kiln", targets: ["Kiln"]),
        .executable(name: "kiln", targets: ["kiln"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(name: "KilnIR"),
        .target(name: "KilnDSL", dependencies: ["KilnIR"]),
        .target(name: "KilnPasses", dependencies: ["KilnIR"]),
        .target(name: "KilnCodegen", dependencies: ["KilnIR"]),
        .target(name: "KilnRuntime"),
        .target(name: "KilnZoo", dependencies: ["KilnDSL"]),
        // The library users import: compile a DSL network, prepare weights, run it.
        .target(name: "Kiln", dependencies: ["KilnIR", "KilnDSL", "KilnPasses", "KilnCodegen", "KilnRuntime", "KilnZoo"]),
        .executableTarget(name: "kiln", dependencies: [
            "Kiln", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "KilnIRTests", dependencies: ["KilnIR", "KilnDSL"]),
        .testTarget(name: "KilnPassesTests", dependencies: ["Kiln"]),
        .testTarget(name: "KilnRuntimeTests", dependencies: ["KilnRuntime"]),
        .testTarget(name: "KilnTests", dependencies: ["Kiln", "KilnCodegen"]),
        .testTarget(name: "KilnZooTests", dependencies: ["Kiln"], resources: [.copy("Goldens"), .copy("CustomGoldens")]),
        .testTarget(name: "KilnEmitTests", dependencies: ["Kiln"], exclude: ["ctypes_check.py"]),
    ]
)
