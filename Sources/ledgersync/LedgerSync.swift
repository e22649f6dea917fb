import ArgumentParser

@main
struct LedgerSync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledgersync",
        abstract: "Keep a spreadsheet ledger of invoices true to what happened in Stripe.",
        version: "0.1.0",
        subcommands: []
    )
}
