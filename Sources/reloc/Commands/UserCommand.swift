import ArgumentParser
import RelocationCore

struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Logins for people: each is a member of its organisation's role.",
        subcommands: [Add.self]
    )

    struct Add: SessionCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Create a login for a person in an organisation (province only).",
            discussion:
                "The password is read from a prompt (or stdin), or the first line of --password-file; never from a flag value."
        )
        @Argument(help: "Login name: lower-case letters, digits and _, e.g. wang_li.") var name: String
        @Option(help: "The person's organisation.", transform: Spellings.halfwidth) var org: String
        @Option(help: "A file whose first line is the password.") var passwordFile: String?
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: FormatOptions

        func execute() throws {
            let password: String
            if let passwordFile {
                do { password = try PasswordInput.read(file: passwordFile) } catch {
                    throw RelocError.invalidInput(
                        "cannot read --password-file \(passwordFile): \(error.localizedDescription)")
                }
            } else {
                guard let typed = PasswordInput.read(prompt: "password for \(name): ") else {
                    throw RelocError.invalidInput("no password given")
                }
                password = typed
            }
            try Organisations(session.open().connection).addLogin(name, organisation: org, password: password)
            printCreated(
                key: "login", .text(name), table: "created login \(name) in \(org.uppercased())", output.format)
        }
    }
}
