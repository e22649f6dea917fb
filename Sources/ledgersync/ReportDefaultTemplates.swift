/// The default email templates, compiled in so `report` works from any folder and from an installed
/// binary. A copy of `Templates/email/*.mustache` byte for byte (ReportTemplateTests checks it): edit
/// those files, then paste them here. Used only when neither `--templates`, `LEDGERSYNC_TEMPLATES` nor
/// `Templates/email/` in the current folder gives a template folder. A trailing space is written
/// `\#u{20}` so no editor can strip it.
enum ReportDefaultTemplates {
    /// File name → text.
    static var files: [(name: String, text: String)] {
        [("subject.mustache", subject), ("body.txt.mustache", textBody), ("body.html.mustache", htmlBody)]
    }

    static let subject = #"""
{{ledgerName}}: {{newlyPaidCount}} newly paid, {{openFlagCount}} open flags ({{generatedAt}})

"""#

    static let textBody = #"""
LedgerSync report for {{ledgerName}}, {{generatedAt}}
{{#isFirstReport}}
This is the first report for this ledger: everything paid or flagged counts as new.
{{/isFirstReport}}

TOTALS BY STATUS ({{invoiceCount}} invoices)
{{#totals}}
  {{status}}: {{count}}, due {{amountDue}}, balance {{balanceDue}}
{{/totals}}

Auto-reconciled: {{autoReconciledRate}} ({{autoReconciledCount}} of {{paymentCount}} rows with a payment settled without a person)

WHAT CHANGED {{periodLabel}}

Newly paid ({{newlyPaidCount}}):
{{#newlyPaid}}
  - {{invoiceNumber}}  {{customerName}}  {{amountDue}}  paid {{paidAt}}
{{/newlyPaid}}
{{^newlyPaid}}
  none
{{/newlyPaid}}

Newly flagged ({{newlyFlaggedCount}}):
{{#newlyFlagged}}
  - {{invoiceNumber}}  {{customerName}}  [{{flag}}] {{flagDetail}}
{{/newlyFlagged}}
{{^newlyFlagged}}
  none
{{/newlyFlagged}}

Still flagged ({{stillFlaggedCount}}):
{{#stillFlagged}}
  - {{invoiceNumber}}  {{customerName}}  [{{flag}}] for {{flaggedFor}}
{{/stillFlagged}}
{{^stillFlagged}}
  none
{{/stillFlagged}}

OLDEST OPEN FLAGS ({{openFlagCount}} open in all)
{{#oldestOpenFlags}}
  - {{invoiceNumber}}  {{customerName}}  [{{flag}}] since {{flaggedSince}} ({{flaggedFor}}): {{flagDetail}}
{{/oldestOpenFlags}}
{{^oldestOpenFlags}}
  No open flags.
{{/oldestOpenFlags}}

The full ledger is attached as {{attachmentName}}.
--\#u{20}
Sent by LedgerSync. Edit this message in Templates/email/.

"""#

    static let htmlBody = #"""
<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>{{ledgerName}}</title></head>
<body style="font-family: sans-serif; color: #222;">
<h2>LedgerSync report for {{ledgerName}}</h2>
<p>{{generatedAt}}</p>
{{#isFirstReport}}
<p><em>This is the first report for this ledger: everything paid or flagged counts as new.</em></p>
{{/isFirstReport}}

<h3>Totals by status ({{invoiceCount}} invoices)</h3>
<table cellpadding="4" style="border-collapse: collapse;">
<tr><th align="left">Status</th><th align="right">Invoices</th><th align="right">Due</th><th align="right">Balance</th></tr>
{{#totals}}
<tr><td>{{status}}</td><td align="right">{{count}}</td><td align="right">{{amountDue}}</td><td align="right">{{balanceDue}}</td></tr>
{{/totals}}
</table>
<p>Auto-reconciled: <strong>{{autoReconciledRate}}</strong> ({{autoReconciledCount}} of {{paymentCount}} rows with a payment settled without a person)</p>

<h3>What changed {{periodLabel}}</h3>
<h4>Newly paid ({{newlyPaidCount}})</h4>
{{#newlyPaid}}
<p><strong>{{invoiceNumber}}</strong>, {{customerName}}: {{amountDue}}, paid {{paidAt}}</p>
{{/newlyPaid}}
{{^newlyPaid}}
<p>None.</p>
{{/newlyPaid}}

<h4>Newly flagged ({{newlyFlaggedCount}})</h4>
{{#newlyFlagged}}
<p><strong>{{invoiceNumber}}</strong>, {{customerName}}: <code>{{flag}}</code> {{flagDetail}}</p>
{{/newlyFlagged}}
{{^newlyFlagged}}
<p>None.</p>
{{/newlyFlagged}}

<h4>Still flagged ({{stillFlaggedCount}})</h4>
{{#stillFlagged}}
<p><strong>{{invoiceNumber}}</strong>, {{customerName}}: <code>{{flag}}</code> for {{flaggedFor}}</p>
{{/stillFlagged}}
{{^stillFlagged}}
<p>None.</p>
{{/stillFlagged}}

<h3>Oldest open flags ({{openFlagCount}} open in all)</h3>
{{#oldestOpenFlags}}
<p><strong>{{invoiceNumber}}</strong>, {{customerName}}: <code>{{flag}}</code> since {{flaggedSince}} ({{flaggedFor}})<br>{{flagDetail}}</p>
{{/oldestOpenFlags}}
{{^oldestOpenFlags}}
<p>No open flags.</p>
{{/oldestOpenFlags}}

<p>The full ledger is attached as <strong>{{attachmentName}}</strong>.</p>
<p style="color: #777; font-size: small;">Sent by LedgerSync. Edit this message in Templates/email/.</p>
</body>
</html>

"""#

}
