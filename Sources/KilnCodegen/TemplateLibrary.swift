import Foundation

/// The C kernel templates under `templates/`, read as text.
///
/// Found at `$KILN_TEMPLATES`, else in the package checkout this module was built from.
public struct TemplateLibrary: Sendable {
    public let directory: String

    public init(directory: String? = nil) {
        if let directory {
            self.directory = directory
        } else if let env = ProcessInfo.processInfo.environment["KILN_TEMPLATES"], !env.isEmpty {
            self.directory = env
        } else {
            // Sources/KilnCodegen/TemplateLibrary.swift -> <package>/templates
            let here = URL(fileURLWithPath: #filePath)
            self.directory = here.deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("templates").path
        }
    }

    public func text(_ path: String) throws -> String {
        let url = URL(fileURLWithPath: directory).appendingPathComponent(path)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw CodegenError.missingTemplate(path: path, directory: directory)
        }
        return text
    }
}
