/// Reconciles invoice rows against what is known from Stripe (DESIGN.md §3–§6).
public enum Reconciler {
    public static func reconcile(invoices: [Invoice], records: RecordSet, decisions: [Decision],
                                 settings: ReconcileSettings) -> Reconciliation {
        Reconciliation(invoices: invoices.map { _ in InvoiceState(status: .open) }, payments: [], notes: [])
    }
}
