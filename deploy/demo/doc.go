// Package demo holds the JSON documents of one complete demo declaration —
// order, payment, waybill and inventory list of a Chongqing bonded (1210)
// import of infant formula — that the README's walk-through submits and
// customs releases. They are the test fixtures of pkg/ceb/cebtest, kept in
// step by a test. SAMPLE DATA.
package demo
