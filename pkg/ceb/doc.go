// Package ceb is the model of the customs CEB messages (GACC unified
// system interface specification, 2022-05 edition). Import (import.xsd):
// the orders, payments, waybills, inventory lists, cancellations and
// returns that parties submit, the receipts customs sends back, and the
// CEB900 format receipt. Export (export.xsd): orders, receipts of payment,
// waybills, arrivals, departures, inventory lists, cancellations and
// summary applications, their receipts, and the CEB792 summary result.
// Import and export share element names (Order, Logistics, Inventory,
// InvtCancel …) for different content; the export Go types carry an
// Export prefix where a name would clash (ExportOrder, ExportInventory …).
//
// It holds three things and no business rule:
//
//   - the Go types, one struct per XSD complex type, with XML and JSON tags
//     equal to the CEB element names so that JSON bodies use the same field
//     names as the XML messages;
//   - the codecs: DecodeXML/EncodeXML for whole CEBnnnMessage documents and
//     DecodeJSON for the JSON submissions of the HTTP API;
//   - structural validation (Validate, ValidateDocument) of everything the
//     XSD says about an element on its own: presence, lengths, fixed values,
//     enumerations, decimal(19,5) amounts and time formats.
//
// Rules that depend on the trade mode (1210 needs emsNo, 9610 needs trafNo)
// or compare documents with each other belong to the domain packages.
// Code lists are checked only where the XSD or its annotations fix them
// (orderType, ieFlag, statisticsFlag, summaryFlag, fFlag/iFlag …); export
// currencies are any three-character code.
//
// Signatures (ds:Signature) are kept as raw XML and re-emitted unchanged;
// Validate neither verifies nor requires them: package dsig verifies them
// over the message's bytes, and the gateway applies each party's policy.
// DxpMsg is the DXP transport envelope in which signed receipts travel.
package ceb

// The JSON Schemas of the documents (docs/schemas), from the types below.
//go:generate go run ./schemagen -src . -out ../../docs/schemas
