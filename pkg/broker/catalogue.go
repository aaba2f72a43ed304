package broker

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Streams of the system (design §3).
const (
	// StreamIn holds every accepted inbound document, one subject per
	// document, the sender's code last as on every party subject:
	// ceb.in.<msgtype>.<business key tokens>.<party> (InSubject). It is the
	// system of record and the duplicate guard in one: a document is stored
	// only if its key (InDocument: the subject, any sender) holds no
	// message (a new document) or holds the version a change replaces
	// (appType 2), so every message on it was acknowledged to its sender,
	// and the last one of a key is the document's current version.
	StreamIn = "CEB_IN"
	// StreamEvents holds domain events: cbec.evt.<entity>.<event>.
	StreamEvents = "CBEC_EVENTS"
	// StreamOut holds receipts to parties: ceb.out.<party>.<msgtype>.
	StreamOut = "CEB_OUT"
	// StreamAudit holds officer and operator actions: cbec.audit.<actor>.
	StreamAudit = "CBEC_AUDIT"
)

// Key-value buckets of the system.
const (
	// BucketDocs holds the markers of documents used by a declaration (a
	// waybill an inventory list names): a used document cannot be changed.
	BucketDocs = "CBEC_DOCS"
	// BucketInventory holds the clearance state of each inventory list and
	// the indexes that find it (docstore.InventoryKey and friends).
	BucketInventory = "CBEC_INVENTORY"
	// BucketQuota holds the buyers' annual quota ledger (D6) and the daily
	// consignee-address index of the risk rules.
	BucketQuota = "CBEC_QUOTA"
	// BucketExport holds export lists' state, their indexes and the
	// monthly summary declarations.
	BucketExport = "CBEC_EXPORT"
	// BucketReview holds the officers' review cases, claims and sessions.
	BucketReview = "CBEC_REVIEW"
	// BucketReviewIndex is the review desk's read model of its open cases
	// (the queue), rebuilt from the cases in CBEC_REVIEW.
	BucketReviewIndex = "CBEC_REVIEW_INDEX"
	// BucketReturns holds return applications, the quantities returned per
	// list, and the zone and warehouse registry.
	BucketReturns = "CBEC_RETURNS"
	// BucketWebhooks holds the parties' webhook subscriptions (with their
	// signing secrets) and each one's delivery state.
	BucketWebhooks = "CBEC_WEBHOOKS"
	// BucketMetrics holds the metrics service's snapshot of its aggregates,
	// so that a restart replays only the events after it.
	BucketMetrics = "CBEC_METRICS"
	// BucketRules holds the rules in force (key "active": the file an
	// operator activated, its revision the rules version) and the backtest
	// reports ("backtest.<id>") activations are based on.
	BucketRules = "CBEC_RULES"
)

// DuplicateWindow is JetStream's duplicate-detection window on every
// stream: a retried publish inside it maps to the message already stored.
const DuplicateWindow = 10 * time.Minute

// Options shape the streams on the target server.
type Options struct {
	// Replicas is the replica count of every stream and bucket: 1 on a
	// single node, 3 on the cluster in deploy/nats.
	Replicas int
}

// Streams returns the configuration of every stream, so that the same
// definitions serve the embedded server, an external cluster and the docs.
func Streams(o Options) []jetstream.StreamConfig {
	r := max(o.Replicas, 1)
	return []jetstream.StreamConfig{
		{
			// The per-subject expected sequence of every write is the
			// guard, for a document's whole lifetime; message ids (and so
			// the duplicate window) serve only changes (appType 2) sent
			// again. Direct gets serve the reads of documents by key on a
			// single node; on a cluster reads go to the leader, as for
			// buckets.
			Name: StreamIn, Description: "accepted inbound CEB documents, one subject per document",
			Subjects: []string{"ceb.in.>"}, Storage: jetstream.FileStorage, Replicas: r,
			Duplicates: DuplicateWindow, AllowDirect: r == 1,
		},
		{
			Name: StreamEvents, Description: "domain events",
			Subjects: []string{"cbec.evt.>"}, Storage: jetstream.FileStorage, Replicas: r,
			Duplicates: DuplicateWindow,
		},
		{
			Name: StreamOut, Description: "receipts to parties, re-readable by cursor",
			Subjects: []string{"ceb.out.>"}, Storage: jetstream.FileStorage, Replicas: r,
			Duplicates: DuplicateWindow, AllowDirect: true,
		},
		{
			Name: StreamAudit, Description: "officer and operator actions; append only",
			Subjects: []string{"cbec.audit.>"}, Storage: jetstream.FileStorage, Replicas: r,
			DenyDelete: true, DenyPurge: true, Duplicates: DuplicateWindow,
		},
	}
}

// Buckets returns the configuration of every key-value bucket.
func Buckets(o Options) []jetstream.KeyValueConfig {
	r := max(o.Replicas, 1)
	return []jetstream.KeyValueConfig{
		{Bucket: BucketDocs, Description: "markers of documents used by a declaration", History: 1, Storage: jetstream.FileStorage, Replicas: r},
		{Bucket: BucketInventory, Description: "inventory clearance state and indexes", History: 1, Storage: jetstream.FileStorage, Replicas: r},
		{Bucket: BucketExport, Description: "export lists, indexes and summary declarations", History: 1, Storage: jetstream.FileStorage, Replicas: r},
		{Bucket: BucketReview, Description: "review cases, claims and desk sessions", History: 1, Storage: jetstream.FileStorage, Replicas: r},
		// Removed index keys leave purge markers that expire after a
		// minute, so a listing never wades through every case ever closed.
		{Bucket: BucketReviewIndex, Description: "review desk index of the open cases", History: 1, Storage: jetstream.FileStorage, Replicas: r, LimitMarkerTTL: time.Minute},
		{Bucket: BucketReturns, Description: "returns, returned quantities and the warehouse registry", History: 1, Storage: jetstream.FileStorage, Replicas: r},
		{Bucket: BucketQuota, Description: "annual quota ledger by buyer key and year", History: 1, Storage: jetstream.FileStorage, Replicas: r},
		{Bucket: BucketWebhooks, Description: "webhook subscriptions and their delivery state", History: 1, Storage: jetstream.FileStorage, Replicas: r},
		{Bucket: BucketMetrics, Description: "the metrics service's snapshot of its aggregates", History: 1, Storage: jetstream.FileStorage, Replicas: r},
		// The history keeps the last versions of the rules in force.
		{Bucket: BucketRules, Description: "the risk rules in force and the backtest reports", History: 64, Storage: jetstream.FileStorage, Replicas: r},
	}
}

// Setup creates or updates every stream and bucket. It is idempotent and is
// the one code path for the embedded server and an external one.
func Setup(ctx context.Context, js jetstream.JetStream, o Options) error {
	for _, sc := range Streams(o) {
		if _, err := js.CreateOrUpdateStream(ctx, sc); err != nil {
			return fmt.Errorf("stream %s: %w", sc.Name, err)
		}
	}
	for _, kc := range Buckets(o) {
		if err := setupBucket(ctx, js, kc); err != nil {
			return fmt.Errorf("bucket %s: %w", kc.Bucket, err)
		}
	}
	return nil
}

// setupBucket creates or updates a bucket, then sets whether its reads may
// be direct gets, which any replica answers: only on one replica, where
// that replica is the leader. With more, a direct get may be answered by a
// follower that has not yet applied the last acknowledged writes, and the
// write-then-read protocols of clearance (a list and its last document, a
// quota row and the decision that counted it) would miss each other
// (docs/architecture.md, "Which reads may be stale"). Turning direct gets
// off sends every read to the leader.
func setupBucket(ctx context.Context, js jetstream.JetStream, kc jetstream.KeyValueConfig) error {
	st, err := js.Stream(ctx, kvStream(kc.Bucket))
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		// Created with direct gets on (nats.go's default) and set below:
		// no process reads a bucket before its Setup has returned.
		if _, err := js.CreateKeyValue(ctx, kc); err != nil && !errors.Is(err, jetstream.ErrBucketExists) {
			return err
		}
		st, err = js.Stream(ctx, kvStream(kc.Bucket))
	}
	if err != nil {
		return err
	}
	// An existing bucket is updated here rather than through nats.go's
	// CreateOrUpdateKeyValue, which would turn direct gets back on for a
	// moment: long enough for a process binding then to read followers.
	cfg := st.CachedInfo().Config
	want := cfg
	want.Replicas = max(kc.Replicas, 1)
	want.AllowDirect = want.Replicas == 1
	want.Description = kc.Description
	if reflect.DeepEqual(cfg, want) {
		return nil
	}
	_, err = js.UpdateStream(ctx, want)
	return err
}

// plain reports whether v may stand as a token as it is: 1 to 64 of
// A-Z a-z 0-9 _ - (a loop, not a regexp: every key of the hot path passes
// here).
func plain(v string) bool {
	if len(v) == 0 || len(v) > 64 {
		return false
	}
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// Token turns a business value (a party code, an order number) into one
// subject and key-value token. Values made of letters, digits, '_' and '-'
// stay as they are, so subjects remain readable; anything else becomes '='
// followed by its unpadded base64url form, which no plain token can start
// with, so two values never share a token.
func Token(v string) string {
	if plain(v) {
		return v
	}
	return "=" + base64.RawURLEncoding.EncodeToString([]byte(v))
}

// KVSubject is the subject under which bucket stores key: what a
// key-value write publishes to, for a caller that publishes it itself.
func KVSubject(bucket, key string) string { return "$KV." + bucket + "." + key }

// Key joins tokens of values into a key-value key.
func Key(parts ...string) string {
	t := make([]string, len(parts))
	for i, p := range parts {
		t[i] = Token(p)
	}
	return strings.Join(t, ".")
}

// InPrefix begins the subject of every inbound document.
const InPrefix = "ceb.in."

// InSubject is the subject of an inbound document under its document key
// (docstore.Key: the message type and the business key's tokens), sent by
// party.
func InSubject(docKey, party string) string { return InPrefix + docKey + "." + Token(party) }

// InDocument is the filter of every version of the document under docKey,
// whoever sent it: what the gateway's write guards and a read finds.
func InDocument(docKey string) string { return InPrefix + docKey + ".*" }

// InFilter is the subject filter of every inbound document of a type.
func InFilter(msgType string) string {
	return InPrefix + strings.ToLower(msgType) + ".>"
}

// LegacyInFilter matches the inbound subjects of stores written before
// CEB_IN was the guard (ceb.in.<msgtype>.<party>, fewer tokens than a
// document's subject has): such a store must not be run by this version.
const LegacyInFilter = "ceb.in.*.*"

// OutSubject is the subject of a receipt to a party.
func OutSubject(party, msgType string) string {
	return "ceb.out." + Token(party) + "." + strings.ToLower(msgType)
}

// OutFilter is the subject filter of every receipt to a party, or of one
// receipt type when msgType is not empty.
func OutFilter(party, msgType string) string {
	if msgType == "" {
		return "ceb.out." + Token(party) + ".>"
	}
	return OutSubject(party, msgType)
}

// EventSubject is the subject of a domain event.
func EventSubject(entity, event string) string {
	return "cbec.evt." + entity + "." + event
}

// ErrLegacyStore is the refusal to run on a store whose CEB_IN was written
// before each document had a subject of its own (its documents were
// guarded in CBEC_DOCS): this version can neither find nor guard them.
var ErrLegacyStore = errors.New("CEB_IN holds documents in the format before one subject per document (docs/operations.md#upgrading-a-store); run this version on a new store")

// CheckStoreFormat refuses a store written in the legacy format.
func CheckStoreFormat(ctx context.Context, js jetstream.JetStream) error {
	st, err := js.Stream(ctx, StreamIn)
	if err != nil {
		return err
	}
	info, err := st.Info(ctx, jetstream.WithSubjectFilter(LegacyInFilter))
	if err != nil {
		return err
	}
	if len(info.State.Subjects) > 0 {
		return ErrLegacyStore
	}
	return nil
}
