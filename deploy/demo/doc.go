// Package demo holds the JSON documents the README's walk-throughs submit,
// all by the demo parties of deploy/parties.yaml. SAMPLE DATA.
//
//   - order.json, payment.json, waybill.json, inventory.json: one complete
//     declaration (DEMO-0001), a Chongqing bonded (1210) import of infant
//     formula that customs releases.
//   - return/: the return walk-through's own purchase (DEMO-R001, the same
//     goods) and two return applications (CEB625), one on the last day of
//     the 30-day window, one too late; their invtNo is the placeholder
//     @INVTNO@, which the walk-through replaces with the number customs gave.
//   - export/: a 9610 export (DEMO-E001) from order to departure — order,
//     receipt of payment, waybill, list, arrival, departure — and the summary
//     application (CEB701) of its month, March 2025.
//
// They are the test fixtures of pkg/ceb/cebtest, kept in step by a test
// (go test ./deploy/demo/ -update rewrites them).
package demo
