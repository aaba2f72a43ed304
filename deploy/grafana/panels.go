package grafana

import (
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/units"
)

// Units that the SDK has no constant for.
const (
	// unitCNY shows amounts in yuan with Grafana's K/M/B scaling.
	unitCNY = "currency:¥"
)

// Counter rates are per second, as Prometheus has them; value panels scale
// yuan to per hour, which reads better at customs volumes.
const perHour = " * 3600"

// ratio divides num by den, both vectors with the same labels, and shows 0
// rather than nothing where num has no series yet (no errors, no reviews):
// a panel that is empty because nothing went wrong would look broken.
func ratio(num, den string) string {
	return fmt.Sprintf("(%s or %s * 0) / %s", num, den, den)
}

// volumes is the Volumes dashboard: what crosses the border, in count and
// value, and how the year compares with the target.
func volumes(b *builder) {
	b.row("Overview")
	b.statPanel("Released value in range",
		"Value in CNY of the declarations released in the selected time range.",
		unitCNY, quarter, nil,
		q(`sum by (direction) (increase(cbec_declaration_value_cny_total[$__range]))`, "{{direction}}"))
	b.statPanel("Declarations in range",
		"Declarations lodged in the selected time range.",
		units.Short, quarter, nil,
		q(`sum by (direction) (increase(cbec_declarations_total{status="declared"}[$__range]))`, "{{direction}}"))
	b.statPanel("Year's trade value",
		"Cross-border e-commerce trade value released this calendar year, and the annual target.",
		unitCNY, quarter, nil,
		q(`sum by (direction) (cbec_trade_value_year_cny)`, "{{direction}}"),
		q(`max(cbec_trade_target_year_cny)`, "target"))
	b.gaugePanel("Year's value against target",
		"This year's import and export value as a share of the annual target.",
		units.PercentUnit, quarter, 0, 1,
		steps("blue", step{1, "green"}),
		q(`sum(cbec_trade_value_year_cny) / max(cbec_trade_target_year_cny)`, "of target"))

	b.row("Over time")
	b.timeSeries("Released value by direction (CNY per hour)",
		"Value of released declarations, import and export.",
		unitCNY, half,
		q(`sum by (direction) (rate(cbec_declaration_value_cny_total[$__rate_interval]))`+perHour, "{{direction}}"))
	b.timeSeries("Declarations by direction",
		"Declarations lodged per second, import and export.",
		units.CountsPerSecond, half,
		q(`sum by (direction) (rate(cbec_declarations_total{status="declared"}[$__rate_interval]))`, "{{direction}}"))
	b.timeSeries("Year's trade value against target",
		"Value released this calendar year by direction and in total, against the annual target.",
		unitCNY, half,
		q(`sum by (direction) (cbec_trade_value_year_cny)`, "{{direction}}"),
		q(`sum(cbec_trade_value_year_cny)`, "total"),
		q(`max(cbec_trade_target_year_cny)`, "target"))
	b.timeSeries("Tax assessed by kind (CNY per hour)",
		"Duty, import VAT and consumption tax assessed on import declarations.",
		unitCNY, half,
		q(`sum by (kind) (rate(cbec_tax_assessed_cny_total[$__rate_interval]))`+perHour, "{{kind}}"))

	b.row("By trade mode")
	b.timeSeries("Released value by trade mode (CNY per hour)",
		"Value of released declarations by direction and trade mode.",
		unitCNY, half,
		q(`sum by (direction, trade_mode) (rate(cbec_declaration_value_cny_total[$__rate_interval]))`+perHour, "{{direction}} {{trade_mode}}"))
	b.timeSeries("Declarations by trade mode",
		"Declarations lodged per second by direction and trade mode.",
		units.CountsPerSecond, half,
		q(`sum by (direction, trade_mode) (rate(cbec_declarations_total{status="declared"}[$__rate_interval]))`, "{{direction}} {{trade_mode}}"))

	b.row("By customs code and platform")
	b.timeSeries("Released value by customs code (CNY per hour)",
		"Value of released declarations by direction and customs code (bonded zone or port).",
		unitCNY, half,
		q(`sum by (direction, customs_code) (rate(cbec_declaration_value_cny_total[$__rate_interval]))`+perHour, "{{direction}} {{customs_code}}"))
	b.timeSeries("Declarations by customs code",
		"Declarations lodged per second by direction and customs code.",
		units.CountsPerSecond, half,
		q(`sum by (direction, customs_code) (rate(cbec_declarations_total{status="declared"}[$__rate_interval]))`, "{{direction}} {{customs_code}}"))
	b.timeSeries("Declarations by platform",
		"Declarations lodged per second by e-commerce platform.",
		units.CountsPerSecond, half,
		q(`sum by (direction, platform) (rate(cbec_declarations_total{status="declared"}[$__rate_interval]))`, "{{direction}} {{platform}}"))
	b.timeSeries("Declarations by status",
		"Declaration status changes per second: accepted, released, rejected, held and closed.",
		units.CountsPerSecond, half,
		q(`sum by (direction, status) (rate(cbec_declarations_total[$__rate_interval]))`, "{{direction}} {{status}}"))

	b.row("Export summaries")
	b.statPanel("Export summaries now",
		"Export summary declarations due, declared and overdue.",
		units.Short, quarter, nil,
		q(`max by (state) (cbec_export_summaries)`, "{{state}}"))
	b.timeSeries("Export summaries by state",
		"Export summary declarations due, declared and overdue over time.",
		units.Short, size{18, 5},
		q(`max by (state) (cbec_export_summaries)`, "{{state}}"))
}

// clearance is the Clearance pipeline dashboard: documents in, decisions
// out, and the health of what carries them.
func clearance(b *builder) {
	b.row("Throughput")
	b.timeSeries("Gateway documents by type and result",
		"Documents received by the gateway per second, by message type, accepted or rejected.",
		units.CountsPerSecond, half,
		q(`sum by (msg_type, result) (rate(cbec_gateway_documents_total[$__rate_interval]))`, "{{msg_type}} {{result}}"))
	b.timeSeries("Document rejection ratio",
		"Share of gateway documents rejected.",
		units.PercentUnit, half,
		q(ratio(
			`sum(rate(cbec_gateway_documents_total{result="rejected"}[$__rate_interval]))`,
			`sum(rate(cbec_gateway_documents_total[$__rate_interval]))`), "rejected"))
	b.timeSeries("Clearance decisions by status",
		"Clearance decisions per second by resulting status.",
		units.CountsPerSecond, half,
		q(`sum by (status) (rate(cbec_clearance_decisions_total[$__rate_interval]))`, "{{status}}"))
	b.timeSeries("Clearance decisions by trade mode",
		"Clearance decisions per second by trade mode.",
		units.CountsPerSecond, half,
		q(`sum by (trade_mode) (rate(cbec_clearance_decisions_total[$__rate_interval]))`, "{{trade_mode}}"))

	b.row("Latency")
	b.timeSeries("Decision latency p50 / p99",
		"Time from a document's acceptance to its clearance decision.",
		units.Seconds, half,
		q(`histogram_quantile(0.5, sum by (le) (rate(cbec_clearance_decision_seconds_bucket[$__rate_interval])))`, "p50"),
		q(`histogram_quantile(0.99, sum by (le) (rate(cbec_clearance_decision_seconds_bucket[$__rate_interval])))`, "p99"))
	b.timeSeries("HTTP latency p99 by route",
		"99th percentile of HTTP request duration by route.",
		units.Seconds, half,
		q(`histogram_quantile(0.99, sum by (route, le) (rate(cbec_http_request_duration_seconds_bucket[$__rate_interval])))`, "{{route}}"))

	b.timeSeries("Garbage collection share of CPU",
		"Share of the CPU each process may use (GOMAXPROCS) that its Go garbage collector took. The decision latency's tail follows it: a declaration that waits while a collection runs waits longer (docs/performance.md#what-the-tail-is).",
		units.PercentUnit, half,
		q(ratio(
			`sum by (job, instance) (rate(go_cpu_classes_gc_total_cpu_seconds_total[$__rate_interval]))`,
			`sum by (job, instance) (rate(go_cpu_classes_total_cpu_seconds_total[$__rate_interval]))`), "{{job}} {{instance}}"))
	b.timeSeries("Resident memory",
		"Resident set of each process. With embedded NATS it holds the server's caches and per-subject index too, which grow with the rate and the stored history (docs/operations.md#memory).",
		units.BytesIEC, half,
		q(`max by (job, instance) (process_resident_memory_bytes)`, "{{job}} {{instance}}"))

	b.row("Consumers")
	b.timeSeries("Consumer lag (pending + ack pending)",
		"Messages not yet delivered plus messages delivered but not acknowledged, per JetStream consumer.",
		units.Short, half,
		q(`max by (stream, consumer) (cbec_consumer_pending_messages) + max by (stream, consumer) (cbec_consumer_ack_pending_messages)`, "{{stream}}/{{consumer}}"))
	b.timeSeries("Redelivered messages",
		"Messages redelivered and not yet acknowledged, per JetStream consumer.",
		units.Short, half,
		q(`max by (stream, consumer) (cbec_consumer_redelivered_messages)`, "{{stream}}/{{consumer}}"))

	b.row("HTTP")
	b.timeSeries("HTTP requests by route and code",
		"HTTP requests per second by route and status code.",
		units.RequestsPerSecond, half,
		q(`sum by (route, code) (rate(cbec_http_requests_total[$__rate_interval]))`, "{{route}} {{code}}"))
	b.timeSeries("HTTP error ratio by route",
		"Share of HTTP requests answered with a server error (5xx) or a client error (4xx), by route.",
		units.PercentUnit, half,
		q(ratio(
			`sum by (route) (rate(cbec_http_requests_total{code=~"5.."}[$__rate_interval]))`,
			`sum by (route) (rate(cbec_http_requests_total[$__rate_interval]))`), "{{route}} 5xx"),
		q(ratio(
			`sum by (route) (rate(cbec_http_requests_total{code=~"4.."}[$__rate_interval]))`,
			`sum by (route) (rate(cbec_http_requests_total[$__rate_interval]))`), "{{route}} 4xx"))

	b.row("Webhooks")
	b.timeSeries("Webhook deliveries by result",
		"Webhook delivery attempts per second: delivered (the endpoint answered 2xx) or failed (retried with backoff).",
		units.CountsPerSecond, half,
		q(`sum by (result) (rate(cbec_webhook_deliveries_total[$__rate_interval]))`, "{{result}}"))
	b.timeSeries("Webhook delivery time p50 / p99",
		"Time of one delivery attempt, from request to the endpoint's answer or the failure (the timeout bounds it).",
		units.Seconds, half,
		q(`histogram_quantile(0.5, sum by (le) (rate(cbec_webhook_delivery_duration_seconds_bucket[$__rate_interval])))`, "p50"),
		q(`histogram_quantile(0.99, sum by (le) (rate(cbec_webhook_delivery_duration_seconds_bucket[$__rate_interval])))`, "p99"))
	b.timeSeries("Webhook backlog",
		"Receipt messages waiting for each webhook subscription (its consumer's pending and in-flight messages): a blocked or slow endpoint's backlog.",
		units.Short, half,
		q(`max by (consumer) (cbec_consumer_pending_messages{stream="CEB_OUT",consumer=~"webhook-.*"}) + max by (consumer) (cbec_consumer_ack_pending_messages{stream="CEB_OUT",consumer=~"webhook-.*"})`, "{{consumer}}"))
	b.statPanel("Blocked webhooks",
		"Webhook subscriptions blocked after failing for the retry window (24 h by default). An operator unblocks them: POST /v1/admin/webhooks/{id}/unblock.",
		units.NoUnit, half,
		steps("green", step{1, "red"}),
		q(`max(cbec_webhook_subscriptions{state="blocked"})`, "blocked"))

	b.row("JetStream and NATS")
	b.timeSeries("Stream messages",
		"Messages stored per JetStream stream.",
		units.Short, third,
		q(`max by (stream) (cbec_stream_messages)`, "{{stream}}"))
	b.timeSeries("Stream bytes",
		"Bytes stored per JetStream stream.",
		units.BytesIEC, third,
		q(`max by (stream) (cbec_stream_bytes)`, "{{stream}}"))
	b.statPanel("NATS connected",
		"1 when the service holds a connection to NATS, 0 when it does not.",
		units.NoUnit, third,
		steps("red", step{1, "green"}),
		q(`min by (job) (cbec_nats_connected)`, "{{job}}"))
}

// review is the Review desk dashboard: the manual review queue and the
// declarations held for review, inspection or detention; the queue by age,
// how long cases wait for a claim and a decision and what each officer
// decides; and each risk rule's hit rate and how often officers release
// what it held unchanged — a rule they always release is one to retire.
func review(b *builder) {
	b.row("Queue")
	b.statPanel("Cases waiting",
		"Cases in the manual review queue.",
		units.Short, quarter,
		steps("green", step{50, "orange"}, step{200, "red"}),
		q(`max(cbec_review_queue_cases)`, "cases"))
	b.statPanel("Oldest case age",
		"Age of the oldest case waiting for an officer.",
		units.Seconds, quarter,
		steps("green", step{3600, "orange"}, step{4 * 3600, "red"}),
		q(`max(cbec_review_oldest_case_age_seconds)`, "oldest"))
	b.statPanel("Held in range",
		"Declarations sent to review, inspection or detention in the selected time range.",
		units.Short, half, nil,
		q(`sum by (status) (increase(cbec_declarations_total{status=~"review|inspection|detained"}[$__range]))`, "{{status}}"))
	b.timeSeries("Queue depth",
		"Cases in the manual review queue over time.",
		units.Short, half,
		q(`max(cbec_review_queue_cases)`, "cases"))
	b.timeSeries("Oldest case age over time",
		"Age of the oldest waiting case over time.",
		units.Seconds, half,
		q(`max(cbec_review_oldest_case_age_seconds)`, "oldest case"))

	b.row("Rates")
	b.timeSeries("Review, inspection and detention rates",
		"Declarations per second sent to manual review, physical inspection or detention.",
		units.CountsPerSecond, half,
		q(`sum by (direction, status) (rate(cbec_declarations_total{status=~"review|inspection|detained"}[$__rate_interval]))`, "{{direction}} {{status}}"))
	b.timeSeries("Share of declarations sent to review",
		"Declarations sent to manual review as a share of declarations lodged.",
		units.PercentUnit, half,
		q(ratio(
			`sum by (direction) (rate(cbec_declarations_total{status="review"}[$__rate_interval]))`,
			`sum by (direction) (rate(cbec_declarations_total{status="declared"}[$__rate_interval]))`), "{{direction}}"))
	b.timeSeries("Held declarations by trade mode and customs code",
		"Declarations per second sent to review, inspection or detention, by trade mode and customs code.",
		units.CountsPerSecond, wide,
		q(`sum by (trade_mode, customs_code) (rate(cbec_declarations_total{status=~"review|inspection|detained"}[$__rate_interval]))`, "{{trade_mode}} {{customs_code}}"))

	b.row("Queue by age")
	b.statPanel("Cases waiting over 4 hours",
		"Cases waiting for an officer for 4 hours or more since review was requested.",
		units.Short, quarter,
		steps("green", step{1, "orange"}, step{20, "red"}),
		q(`sum(max by (age) (cbec_review_queue_age_cases{age=~"4-24h|24h.*"}))`, "over 4h"))
	b.statPanel("Queue by age",
		"Cases waiting for an officer, by time since review was requested.",
		units.Short, quarter, nil,
		q(`max by (age) (cbec_review_queue_age_cases)`, "{{age}}"))
	b.timeSeries("Queue depth by age over time",
		"Cases waiting for an officer over time, by age bucket: under 1 hour, 1 to 4, 4 to 24, over 24.",
		units.Short, half,
		q(`max by (age) (cbec_review_queue_age_cases)`, "{{age}}"))

	b.row("Officers")
	b.timeSeries("Time to first claim",
		"Time from a declaration's review request to its first claim by an officer: median and 90th percentile.",
		units.Seconds, half,
		q(`histogram_quantile(0.5, sum by (le) (rate(cbec_review_claim_seconds_bucket[$__rate_interval])))`, "p50"),
		q(`histogram_quantile(0.9, sum by (le) (rate(cbec_review_claim_seconds_bucket[$__rate_interval])))`, "p90"))
	b.timeSeries("Time to decision",
		"Time from a declaration's review request to an officer's decision, 90th percentile by action (release, reject, inspect, inspection result).",
		units.Seconds, half,
		q(`histogram_quantile(0.9, sum by (le, action) (rate(cbec_review_decision_seconds_bucket[$__rate_interval])))`, "p90 {{action}}"))
	b.timeSeries("Decisions per officer (per hour)",
		"Review decisions per hour by officer code and decision (release, reject, inspect, detain). Officer codes only: no names.",
		units.Short, half,
		q(`sum by (officer, decision) (rate(cbec_review_decisions_total[$__rate_interval]))`+perHour, "{{officer}} {{decision}}"))
	b.statPanel("Decisions in range by officer",
		"Review decisions in the selected time range, by officer code.",
		units.Short, half, nil,
		q(`sum by (officer) (increase(cbec_review_decisions_total[$__range]))`, "{{officer}}"))

	b.row("Risk rules")
	b.timeSeries("Rule hit rate",
		"Share of import declarations lodged that each risk rule hit (held for review or rejected).",
		units.PercentUnit, half,
		q(`sum by (rule) (rate(cbec_rule_hits_total[$__rate_interval])) / scalar(sum(rate(cbec_declarations_total{direction="import",status="declared"}[$__rate_interval])))`, "{{rule}}"))
	b.statPanel("Released unchanged in range, by rule",
		"Of the declarations each rule held and an officer decided in the selected range, the share released unchanged. Near 100 % over a week: the rule finds nothing, retire or narrow it (alert CbecRuleAlwaysReleased).",
		units.PercentUnit, half,
		steps("green", step{0.8, "orange"}, step{0.95, "red"}),
		q(ratio(
			`sum by (rule) (increase(cbec_review_rule_outcomes_total{outcome="released"}[$__range]))`,
			`sum by (rule) (increase(cbec_review_rule_outcomes_total{outcome!="withdrawn"}[$__range]))`), "{{rule}}"))
	b.timeSeries("Rule hits by rule and action",
		"Risk rule hits per second by rule and action: review (held for an officer) or reject.",
		units.CountsPerSecond, half,
		q(`sum by (rule, action) (rate(cbec_rule_hits_total[$__rate_interval]))`, "{{rule}} {{action}}"))
	b.statPanel("Rule outcomes in range",
		"What became of the declarations each rule held, in the selected range: released unchanged, rejected, inspected, withdrawn.",
		units.Short, half, nil,
		q(`sum by (rule, outcome) (increase(cbec_review_rule_outcomes_total[$__range]))`, "{{rule}} {{outcome}}"))
}

// returns is the Returns center dashboard: returns of bonded imports by
// zone and outcome, and the annual quota they give back to buyers.
func returns(b *builder) {
	b.row("Overview")
	b.statPanel("Returns in range by outcome",
		"Returns requested, accepted, rejected and expired in the selected time range.",
		units.Short, half, nil,
		q(`sum by (outcome) (increase(cbec_returns_total[$__range]))`, "{{outcome}}"))
	b.statPanel("Quota restored in range",
		"Annual personal quota given back to buyers by accepted returns in the selected time range.",
		unitCNY, quarter, nil,
		q(`sum(increase(cbec_quota_restored_cny_total[$__range]))`, "restored"))
	b.statPanel("Accepted share of requests",
		"Returns accepted as a share of returns requested in the selected time range.",
		units.PercentUnit, quarter, nil,
		q(ratio(
			`sum(increase(cbec_returns_total{outcome="accepted"}[$__range]))`,
			`sum(increase(cbec_returns_total{outcome="requested"}[$__range]))`), "accepted"))

	b.row("By zone")
	b.timeSeries("Returns by zone and outcome",
		"Returns per second by bonded zone and outcome.",
		units.CountsPerSecond, half,
		q(`sum by (zone, outcome) (rate(cbec_returns_total[$__rate_interval]))`, "{{zone}} {{outcome}}"))
	b.timeSeries("Quota restored by zone (CNY per hour)",
		"Annual personal quota given back by accepted returns, by bonded zone.",
		unitCNY, half,
		q(`sum by (zone) (rate(cbec_quota_restored_cny_total[$__rate_interval]))`+perHour, "{{zone}}"))
	b.statPanel("Returns requested in range by zone",
		"Returns requested in the selected time range, by bonded zone.",
		units.Short, half, nil,
		q(`sum by (zone) (increase(cbec_returns_total{outcome="requested"}[$__range]))`, "{{zone}}"))
	b.statPanel("Quota restored in range by zone",
		"Annual personal quota given back in the selected time range, by bonded zone.",
		unitCNY, half, nil,
		q(`sum by (zone) (increase(cbec_quota_restored_cny_total[$__range]))`, "{{zone}}"))
}
