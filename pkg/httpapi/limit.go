package httpapi

import (
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/errcode"
	"golang.org/x/time/rate"
)

// Defaults of the failed-authentication limit (--auth-fail-rate,
// --auth-fail-burst) and of the addresses it tracks at once.
const (
	DefaultAuthFailRate  = 2
	DefaultAuthFailBurst = 20
	DefaultMaxAddresses  = 65536
)

// FailureLimiter limits failed authentications per client address with a
// token bucket: Burst failures at once, then Rate per second. Only
// failures take tokens, so a client whose keys are right is never slowed
// while its address stays within the limit. Once the bucket is empty, no
// key from the address is looked at until a token is back: every attempt,
// right or wrong, gets 429 with Retry-After. Otherwise a guesser would
// simply go on, and its first right guess would answer 200 — the limit
// must stop the guessing, not only relabel the misses. The cost, an
// honest client behind the same address waiting out the Retry-After, is
// the usual one of a per-address limit.
//
// Memory is bounded: a bucket that has filled up again is the same as no
// bucket, so idle ones are dropped, and at most MaxAddresses are kept.
// When that many addresses failed within the refill time, failures from
// further addresses are answered 429 until buckets free up.
type FailureLimiter struct {
	rate  rate.Limit
	burst int
	clock clock.Clock
	// MaxAddresses bounds the addresses tracked at once (DefaultMaxAddresses
	// when 0).
	MaxAddresses int

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim *rate.Limiter
	// limited is set while the address is refused, so the change is
	// logged once rather than at every refused attempt.
	limited bool
}

// NewFailureLimiter allows burst failed authentications per address at
// once and perSecond after that, timed by clk (the system clock when nil).
// It returns nil, no limit, when perSecond is not positive.
func NewFailureLimiter(perSecond float64, burst int, clk clock.Clock) *FailureLimiter {
	if perSecond <= 0 {
		return nil
	}
	if clk == nil {
		clk = clock.System{}
	}
	return &FailureLimiter{rate: rate.Limit(perSecond), burst: max(burst, 1), clock: clk, buckets: map[string]*bucket{}}
}

// sweepEvery is how often idle buckets are dropped when the map is not
// full.
const sweepEvery = time.Minute

// Fail records a failed authentication from addr. It returns 0 when the
// failure is within the limit, else how long until the next attempt would
// be; first reports the first refusal since the address was last within
// its limit (worth a log line).
func (l *FailureLimiter) Fail(addr string) (wait time.Duration, first bool) {
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[addr]
	if !ok {
		maxAddrs := l.MaxAddresses
		if maxAddrs <= 0 {
			maxAddrs = DefaultMaxAddresses
		}
		if len(l.buckets) >= maxAddrs || now.Sub(l.swept) >= sweepEvery {
			l.sweep(now)
		}
		if len(l.buckets) >= maxAddrs {
			return time.Second, false
		}
		b = &bucket{lim: rate.NewLimiter(l.rate, l.burst)}
		l.buckets[addr] = b
	}
	res := b.lim.ReserveN(now, 1)
	wait = res.DelayFrom(now)
	if wait == 0 {
		b.limited = false
		return 0, false
	}
	res.CancelAt(now)
	first = !b.limited
	b.limited = true
	return wait, first
}

// Wait is how long addr must wait before an authentication from it is
// looked at again: 0 unless its failures used up the bucket. first
// reports the first refusal since the address was last within its limit
// (worth a log line).
func (l *FailureLimiter) Wait(addr string) (wait time.Duration, first bool) {
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[addr]
	if !ok {
		return 0, false
	}
	tokens := b.lim.TokensAt(now)
	if tokens >= 1 {
		b.limited = false
		return 0, false
	}
	first = !b.limited
	b.limited = true
	return time.Duration((1 - tokens) / float64(l.rate) * float64(time.Second)), first
}

// sweep drops the buckets that are full again: an address's next failure
// starts a new full bucket, which is what it would find.
func (l *FailureLimiter) sweep(now time.Time) {
	l.swept = now
	for a, b := range l.buckets {
		if b.lim.TokensAt(now) >= float64(l.burst) {
			delete(l.buckets, a)
		}
	}
}

// Tracked returns how many addresses the limiter holds a bucket for.
func (l *FailureLimiter) Tracked() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// AuthAllowed answers 429 (code -900429) with Retry-After when r's client
// address has failed authentication too often, before any key of it is
// looked at; nil otherwise. Every place that checks a key calls it first:
// Auth.Party and the review desk's sign-in.
func AuthAllowed(r *http.Request) error {
	rq := fromContext(r.Context())
	if rq == nil || rq.failures == nil {
		return nil
	}
	wait, first := rq.failures.Wait(rq.addr)
	if wait == 0 {
		return nil
	}
	return limited(r, rq, wait, first)
}

// AuthFailed records that r failed authentication and returns err, the
// failure to answer — or, once r's client address has failed too often, a
// 429 (code -900429) with Retry-After. Every place that refuses a key calls
// it: Auth.Party and the review desk's sign-in.
func AuthFailed(r *http.Request, err error) error {
	rq := fromContext(r.Context())
	if rq == nil || rq.failures == nil {
		return err
	}
	wait, first := rq.failures.Fail(rq.addr)
	if wait == 0 {
		rq.log.Debug("authentication failed", "addr", rq.addr, "path", r.URL.Path)
		return err
	}
	return limited(r, rq, wait, first)
}

// limited is the 429 of an address over its limit, logged at its first
// refusal.
func limited(r *http.Request, rq *request, wait time.Duration, first bool) error {
	if first {
		rq.log.Warn("failed authentications limited", "addr", rq.addr, "path", r.URL.Path, "retry_after", wait.Round(time.Millisecond))
	}
	return &retryError{
		err:   errcode.New(errcode.TooManyRequests, "too many failed authentications from this address; retry after %s s", retrySeconds(wait)),
		after: wait,
	}
}

// ClientAddr is the address failed authentications are counted against:
// the host of r.RemoteAddr (X-Forwarded-For is not trusted), an IPv6
// address by its /64 prefix, since one client commonly holds a whole /64.
func ClientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.WithZone("").Prefix(64)
		return p.String()
	}
	return ip.String()
}

// retryError is a refusal that says when to try again: the response gets a
// Retry-After header.
type retryError struct {
	err   *errcode.Error
	after time.Duration
}

func (e *retryError) Error() string { return e.err.Error() }
func (e *retryError) Unwrap() error { return e.err }

// retrySeconds is a wait as Retry-After delay-seconds: whole seconds,
// rounded up, at least 1.
func retrySeconds(d time.Duration) string {
	return strconv.Itoa(max(1, int(math.Ceil(d.Seconds()))))
}
