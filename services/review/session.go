package review

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/httpapi"
	"github.com/cbec/cbec/pkg/party"
	"github.com/nats-io/nats.go/jetstream"
)

// SessionTTL is how long a desk session lasts after sign-in: one shift.
const SessionTTL = 8 * time.Hour

// Cookie names of the desk.
const (
	// SessionCookie carries the session token; the bucket keeps only its
	// hash, so reading CBEC_REVIEW does not yield a usable session.
	SessionCookie = "cbec_review_session"
	// loginCookie is the double-submit token of the sign-in form, which
	// has no session yet to hold a CSRF token.
	loginCookie = "cbec_review_login"
	langCookie  = "cbec_lang"
	// CSRFHeader carries the session's CSRF token on an API POST
	// authenticated by the session cookie.
	CSRFHeader = "X-CSRF-Token"
)

// Session is a signed-in officer, stored in CBEC_REVIEW under
// "session.<sha256 of the token>" so that every replica knows it.
type Session struct {
	Officer string    `json:"officer"`
	CSRF    string    `json:"csrf"`
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
}

const sessionFilter = "session.>"

func sessionKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return "session." + hex.EncodeToString(sum[:])
}

// randomToken returns 32 random bytes, base64url.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// newSession stores a session for officer and returns its token.
func (r *Review) newSession(ctx context.Context, officer string) (string, *Session, error) {
	now := r.env.Clock.Now().UTC()
	tok := randomToken()
	s := &Session{Officer: officer, CSRF: randomToken(), Created: now, Expires: now.Add(SessionTTL)}
	if err := broker.PutJSON(ctx, r.kv, sessionKey(tok), s, 0); err != nil {
		return "", nil, err
	}
	return tok, s, nil
}

// session returns the unexpired session of r's cookie, or nil.
func (r *Review) session(req *http.Request) (*Session, error) {
	ck, err := req.Cookie(SessionCookie)
	if err != nil || ck.Value == "" || len(ck.Value) > 100 {
		return nil, nil //nolint:nilerr // no cookie is no session
	}
	s := &Session{}
	_, found, err := broker.GetJSON(req.Context(), r.kv, sessionKey(ck.Value), s)
	if err != nil || !found {
		return nil, err
	}
	if !r.env.Clock.Now().Before(s.Expires) {
		return nil, nil
	}
	return s, nil
}

// endSession deletes the session of r's cookie.
func (r *Review) endSession(req *http.Request) {
	if ck, err := req.Cookie(SessionCookie); err == nil && ck.Value != "" {
		_ = r.kv.Delete(req.Context(), sessionKey(ck.Value))
	}
}

// secure reports whether the request came over TLS (directly or through
// a proxy that says so), so that cookies are marked Secure.
func secure(req *http.Request) bool {
	return req.TLS != nil || strings.EqualFold(req.Header.Get("X-Forwarded-Proto"), "https")
}

// setCookie sets an HttpOnly, SameSite=Strict cookie. MaxAge rather than
// Expires: the browser counts from its own clock, which need not be the
// service clock (tests and --dev-clock move the latter).
func setCookie(w http.ResponseWriter, req *http.Request, name, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: secure(req), MaxAge: int(maxAge / time.Second),
	})
}

func clearCookie(w http.ResponseWriter, req *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: secure(req), MaxAge: -1})
}

// tokensEqual compares tokens in constant time.
func tokensEqual(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// customs refuses a party that is neither officer nor supervisor.
func customs(p *party.Party) error {
	if p.Has(party.RoleOfficer) || p.Has(party.RoleSupervisor) {
		return nil
	}
	return errcode.New(errcode.Forbidden, "the review desk is for customs officers and supervisors")
}

// Caller is who makes a request: the officer, and the session when the
// request came from the desk.
type Caller struct {
	Party   *party.Party
	Session *Session
}

// caller authenticates a request by Bearer key or, without one, by the
// desk session cookie; only officers and supervisors pass. A state-changing
// request on a session must carry the session's CSRF token (csrf, from the
// form field or the X-CSRF-Token header); a Bearer request needs none,
// since no browser sends that header on its own.
func (r *Review) caller(req *http.Request, csrf string) (*Caller, error) {
	if req.Header.Get("Authorization") != "" {
		p, err := r.auth.Party(req)
		if err != nil {
			return nil, err
		}
		if err := customs(p); err != nil {
			return nil, err
		}
		return &Caller{Party: p}, nil
	}
	s, err := r.session(req)
	if err != nil {
		return nil, errcode.Wrap(errcode.Unavailable, err, "session store temporarily unavailable; retry later")
	}
	if s == nil {
		return nil, errcode.New(errcode.Unauthenticated, "sign in at /review/login or send Authorization: Bearer <key>")
	}
	p, ok := r.env.Parties.ByCode(s.Officer)
	if !ok {
		return nil, errcode.New(errcode.Unauthenticated, "the session's officer is no longer known")
	}
	// Roles are read at every request: a party file without the role
	// ends the officer's access at once.
	if err := customs(p); err != nil {
		return nil, err
	}
	if req.Method == http.MethodPost && !tokensEqual(csrf, s.CSRF) {
		return nil, errcode.New(errcode.ReviewCSRF, "missing or wrong CSRF token; reload the page")
	}
	// The access log names the officer of a desk request as it names a
	// key's party.
	httpapi.SetParty(req.Context(), p.Code)
	return &Caller{Party: p, Session: s}, nil
}

// sweepSessions deletes expired sessions.
func (r *Review) sweepSessions(ctx context.Context) error {
	lister, err := r.kv.ListKeysFiltered(ctx, sessionFilter)
	if errors.Is(err, jetstream.ErrNoKeysFound) {
		return nil
	}
	if err != nil {
		return err
	}
	defer func() { _ = lister.Stop() }()
	now := r.env.Clock.Now()
	for k := range lister.Keys() {
		s := &Session{}
		if _, found, err := broker.GetJSON(ctx, r.kv, k, s); err != nil || !found {
			continue
		}
		if !now.Before(s.Expires) {
			_ = r.kv.Delete(ctx, k)
		}
	}
	return nil
}

// Sweep mends the cases an interrupted action left dirty (their index and
// outbox) and deletes expired sessions. It reads the dirty marks only, not
// every case.
func (r *Review) Sweep(ctx context.Context) error {
	return errors.Join(r.mend(ctx), r.sweepSessions(ctx))
}
