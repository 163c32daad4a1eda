/// Lets the options every command shares stand before the subcommand, as in
/// `reloc --as JL-FGW task list --mine` or `reloc --database URL db status`: ArgumentParser only
/// reads options at the level that declares them, so these are moved behind the subcommand path.
enum GlobalOptionPlacement {
    /// Options that take a value and that every (or nearly every) command declares.
    static let movable: Set<String> = ["--as", "--database", "--format"]

    /// `arguments` (without the program name) with leading shared options moved to the end.
    static func hoisted(_ arguments: [String]) -> [String] {
        var moved: [String] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            let name = String(argument.prefix { $0 != "=" })
            guard movable.contains(name) else { break }
            if argument.contains("=") {
                moved.append(argument)
                index += 1
            } else {
                moved.append(contentsOf: arguments[index..<min(index + 2, arguments.endIndex)])
                index += 2
            }
        }
        guard !moved.isEmpty, index < arguments.endIndex else { return arguments }
        return Array(arguments[index...]) + moved
    }
}
