/// `reloc --as JL-GXT task list --mine`: the session options (--as, --database, --format) may be
/// written before the command too, as people type them. ArgumentParser reads a command's options
/// after its name only, so leading ones are moved to the end.
enum LeadingOptions {
    static let withValue: Set<String> = ["--as", "--database", "--format"]

    static func reordered(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var rest = arguments[...]
        while let first = rest.first {
            if withValue.contains(first), rest.count >= 2 {
                leading += rest.prefix(2)
                rest = rest.dropFirst(2)
            } else if let name = first.split(separator: "=", maxSplits: 1).first, first.contains("="),
                withValue.contains(String(name))
            {
                leading.append(first)
                rest = rest.dropFirst()
            } else {
                break
            }
        }
        guard !leading.isEmpty else { return arguments }
        // Before a `--` terminator, if there is one, so they stay options.
        if let terminator = rest.firstIndex(of: "--") {
            return Array(rest[..<terminator]) + leading + Array(rest[terminator...])
        }
        return Array(rest) + leading
    }
}
