package broker

import (
	"slices"
	"strings"
)

// Accounts of a cbec NATS deployment (design §7). Services share the
// JetStream account; parties live in an account of their own that imports
// only the submission service and the receipt subjects, so that no
// permission mistake can hand a party the system's streams or buckets.
const (
	// AccountCBEC holds the streams, buckets and every service user.
	AccountCBEC = "CBEC"
	// AccountParties is where the auth callout places parties.
	AccountParties = "PARTIES"
	// AccountAuth holds the user that answers the auth callout.
	AccountAuth = "AUTH"
	// AccountSystem is the server's system account.
	AccountSystem = "SYS"
)

// Users of a cbec deployment that are not services.
const (
	// UserAdmin creates and updates streams and buckets and may do anything
	// in AccountCBEC, deleting the audit stream included: the operator's.
	UserAdmin = "admin"
	// UserAuth answers the auth callout in AccountAuth.
	UserAuth = "auth"
)

// SubmitSubject is the request subject of the gateway's submission service,
// the only subject a party may publish to.
const SubmitSubject = "cbec.gateway.submit"

// Grant is what one cbec service may do on the bus: the least it needs.
type Grant struct {
	// Service is the service's name (--services) and its NATS user name.
	Service string
	// Publish are the stream subjects it publishes to.
	Publish []string
	// Write are the key-value buckets it writes (and reads).
	Write []string
	// Read are the streams and buckets it reads or consumes.
	Read []string
	// Serve are the request subjects it answers (micro endpoints).
	Serve []string
}

// Grants is the table of every service's permissions. A service that needs a
// subject not listed here fails with a permissions violation, which the
// connection logs as an error: the table is the one place to change.
func Grants() []Grant {
	return []Grant{
		{
			Service: "gateway",
			Publish: []string{"ceb.in.>"},
			// CBEC_DOCS: the markers of waybills used by a list.
			Write: []string{BucketDocs},
			Read:  []string{StreamIn, StreamOut, BucketInventory},
			Serve: []string{SubmitSubject},
		},
		{
			Service: "clearance",
			// Clearance asks for review but never decides one: only the
			// review service may publish cbec.evt.review.decided.
			Publish: []string{"cbec.evt.inventory.>", "cbec.evt.review.requested", "cbec.evt.review.step", "ceb.out.>"},
			Write:   []string{BucketInventory, BucketQuota},
			Read:    []string{StreamIn, StreamEvents, StreamOut, BucketDocs, BucketRules},
		},
		{
			Service: "returns",
			Publish: []string{"cbec.evt.return.>", "ceb.out.>", "cbec.audit.>"},
			Write:   []string{BucketInventory, BucketReturns, BucketQuota},
			Read:    []string{StreamIn, StreamOut, BucketDocs, BucketRules},
		},
		{
			Service: "export",
			Publish: []string{"cbec.evt.export.>", "ceb.out.>"},
			Write:   []string{BucketExport},
			Read:    []string{StreamIn, StreamOut, BucketDocs},
		},
		{
			Service: "review",
			Publish: []string{"cbec.evt.review.decided", "cbec.audit.>"},
			Write:   []string{BucketReview, BucketReviewIndex, BucketRules},
			Read:    []string{StreamIn, StreamEvents, BucketInventory, BucketDocs, BucketQuota},
		},
		{
			// Webhooks consume each subscription's receipts from CEB_OUT
			// and audit the operators' unblocking.
			Service: "webhooks",
			Publish: []string{"cbec.audit.>"},
			Write:   []string{BucketWebhooks},
			Read:    []string{StreamOut},
		},
		{
			Service: "metrics",
			Write:   []string{BucketMetrics},
			Read:    []string{StreamIn, StreamEvents, StreamOut, StreamAudit},
		},
	}
}

// GrantOf returns the grant of a service, or false.
func GrantOf(service string) (Grant, bool) {
	for _, g := range Grants() {
		if g.Service == service {
			return g, true
		}
	}
	return Grant{}, false
}

// Union is one grant holding everything of gs: the user of a process that
// runs several services on one connection.
func Union(name string, gs ...Grant) Grant {
	u := Grant{Service: name}
	for _, g := range gs {
		u.Publish = appendNew(u.Publish, g.Publish...)
		u.Write = appendNew(u.Write, g.Write...)
		u.Read = appendNew(u.Read, g.Read...)
		u.Serve = appendNew(u.Serve, g.Serve...)
	}
	return u
}

func appendNew(to []string, vs ...string) []string {
	for _, v := range vs {
		if !slices.Contains(to, v) {
			to = append(to, v)
		}
	}
	return to
}

// Permissions are the subjects a user may publish and subscribe to, and
// the ones it may not even when an allow matches.
type Permissions struct {
	PubAllow, PubDeny, SubAllow []string
	// Responses lets the user answer requests it receives (reply subjects).
	Responses bool
}

// DeniedToServices are JetStream API subjects no service user may use,
// whatever its grant: deleting or purging a stream, deleting a message of
// the audit stream, and account-wide operations. Only the admin user may.
var DeniedToServices = []string{
	"$JS.API.STREAM.DELETE.>",
	"$JS.API.STREAM.PURGE.>",
	"$JS.API.STREAM.MSG.DELETE." + StreamAudit,
	"$JS.API.STREAM.SNAPSHOT.>",
	"$JS.API.STREAM.RESTORE.>",
	"$JS.API.ACCOUNT.>",
	"$JS.API.META.>",
	"$JS.API.SERVER.>",
}

// InboxPrefix is the reply-subject prefix of a user: its own, so that no
// other user's subscription permissions can reach its replies.
func InboxPrefix(user string) string { return "_INBOX_" + Token(user) }

// streamOf is the JetStream stream behind a stream or bucket name.
func streamOf(name string) string {
	for _, b := range Buckets(Options{}) {
		if b.Bucket == name {
			return kvStream(name)
		}
	}
	return name
}

// isBucket reports whether name is one of the catalogue's buckets.
func isBucket(name string) bool { return streamOf(name) != name }

// ServicePermissions are the NATS permissions of a service user holding g.
// With setup, the user may also create and update cbec's streams and
// buckets (an external deployment, where each process sets them up at
// start); never delete or purge them.
func ServicePermissions(g Grant, setup bool) Permissions {
	p := Permissions{
		PubAllow: []string{"$JS.API.INFO", "$JS.API.STREAM.INFO.*", "$JS.API.STREAM.NAMES", "$JS.API.STREAM.LIST"},
		PubDeny:  slices.Clone(DeniedToServices),
		SubAllow: []string{InboxPrefix(g.Service) + ".>"},
	}
	reads := appendNew(slices.Clone(g.Read), g.Write...)
	for _, name := range reads {
		s := streamOf(name)
		p.PubAllow = append(p.PubAllow,
			"$JS.API.CONSUMER.CREATE."+s, "$JS.API.CONSUMER.CREATE."+s+".>",
			"$JS.API.CONSUMER.DURABLE.CREATE."+s+".*",
			"$JS.API.CONSUMER.INFO."+s+".*", "$JS.API.CONSUMER.DELETE."+s+".*",
			"$JS.API.CONSUMER.MSG.NEXT."+s+".*",
			"$JS.API.CONSUMER.NAMES."+s, "$JS.API.CONSUMER.LIST."+s,
			"$JS.API.STREAM.MSG.GET."+s,
			"$JS.API.DIRECT.GET."+s, "$JS.API.DIRECT.GET."+s+".>",
			"$JS.ACK."+s+".>", "$JS.FC."+s+".>",
		)
	}
	for _, b := range g.Write {
		if isBucket(b) {
			p.PubAllow = append(p.PubAllow, KVSubject(b, ">"))
		}
	}
	p.PubAllow = append(p.PubAllow, g.Publish...)
	if len(g.Serve) > 0 {
		p.SubAllow = append(p.SubAllow, g.Serve...)
		// nats.go micro answers discovery (PING, INFO, STATS) here.
		p.SubAllow = append(p.SubAllow, "$SRV.>")
		p.Responses = true
	}
	if setup {
		for _, sc := range Streams(Options{}) {
			p.PubAllow = append(p.PubAllow, "$JS.API.STREAM.CREATE."+sc.Name, "$JS.API.STREAM.UPDATE."+sc.Name)
		}
		for _, kc := range Buckets(Options{}) {
			s := kvStream(kc.Bucket)
			p.PubAllow = append(p.PubAllow, "$JS.API.STREAM.CREATE."+s, "$JS.API.STREAM.UPDATE."+s)
		}
	}
	return p
}

// PartyPermissions are the NATS permissions of a party: request the
// submission service, receive its own receipts and its own replies.
func PartyPermissions(code string) Permissions {
	return Permissions{
		PubAllow: []string{SubmitSubject},
		SubAllow: []string{OutFilter(code, ""), InboxPrefix(code) + ".>"},
	}
}

// quote renders a NATS configuration string literal.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// list renders ss as a configuration array, one value a line.
func list(ss []string, indent string) string {
	var b strings.Builder
	b.WriteString("[\n")
	for _, v := range ss {
		b.WriteString(indent + "  " + quote(v) + "\n")
	}
	b.WriteString(indent + "]")
	return b.String()
}

// conf renders p as a NATS configuration permissions block.
func (p Permissions) conf(indent string) string {
	in := indent + "  "
	var b strings.Builder
	b.WriteString("{\n")
	b.WriteString(in + "publish: {\n")
	b.WriteString(in + "  allow: " + list(p.PubAllow, in+"  ") + "\n")
	if len(p.PubDeny) > 0 {
		b.WriteString(in + "  deny: " + list(p.PubDeny, in+"  ") + "\n")
	}
	b.WriteString(in + "}\n")
	b.WriteString(in + "subscribe: { allow: " + list(p.SubAllow, in) + " }\n")
	if p.Responses {
		b.WriteString(in + "allow_responses: true\n")
	}
	b.WriteString(indent + "}")
	return b.String()
}
