/// The commands that create a row and print its key (docs/output.md, "What a create command
/// prints"): `--format xlsx` is refused before anything is created (RelocCommand.checkOutput).
extension EnterpriseCommand.Register: PrintsCreated {}
extension PlanCommand.Add: PrintsCreated {}
extension ParkCommand.Add: PrintsCreated {}
extension OrgCommand.Add: PrintsCreated {}
extension UserCommand.Add: PrintsCreated {}
extension SiteCommand.Add: PrintsCreated {}
extension LandCommand.Quota.Add: PrintsCreated {}
extension LandCommand.Allocate: PrintsCreated {}
extension TaskCommand.Add: PrintsCreated {}
extension TaskCommand.ProgressCommand: PrintsCreated {}
extension MilestoneCommand.Add: PrintsCreated {}
extension MilestoneCommand.ProgressCommand: PrintsCreated {}
extension RemindCommand.Contact.Add: PrintsCreated {}
extension MilestoneCommand.ICalFeed.Create: PrintsCreated {}

/// A command that writes a file of its own kind and reads --format and --output itself
/// (`reloc template`): the shared checks of --format xlsx and --output leave it alone.
protocol WritesItsOwnFile {}
