// Package export holds the domain rules of retail and B2B export (domain
// §1, §5, §17; decisions D10, D11): the export reference data, the checks
// of an export declaration and the monthly summary declaration. It is pure
// domain code: no transport, no storage, no clock of its own.
//
// Reference data (Load; the binary passes in the --export file or the
// embedded deploy/export.yaml, SAMPLE DATA) is the dated rate table to
// CNY, the HS prefixes prohibited or restricted for export, the HS
// prefixes that may not use statisticsFlag A, and the export trade modes
// 9610, 1210, 9710 and 9810 with the order types, documents and elements
// each requires.
//
// Check runs the checks of one declaration (CEB303 order, CEB403 receipt
// of payment, CEB505 waybill, CEB603 list), each with its own -904xxx code
// (D9, D14), reporting every violation at once. Amounts are compared as
// exact decimals, never as floats.
//
// The life of a list (list.go): its statuses and the transitions between
// them (Can), who may cancel it and when (Cancellable), which lists a
// summary counts (Summarised), the value in CNY of an accepted list
// (ValueCNY) and the text of a rejection (Refusal).
//
// Summarize groups the released statisticsFlag B lists of a month
// (Asia/Shanghai, D15) into summary declarations per D10, deterministically
// and with exact decimal sums; Due and Overdue track the deadline, the end
// of the 15th of the following month; Window selects the lists of a CEB701
// with startTime/endTime.
package export
