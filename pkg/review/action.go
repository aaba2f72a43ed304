package review

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/inventory"
)

// Actions on a case, as named in the API paths and the audit trail.
const (
	ActionClaim            = "claim"
	ActionUnclaim          = "unclaim"
	ActionRelease          = "release"
	ActionReject           = "reject"
	ActionInspect          = "inspect"
	ActionInspectionResult = "inspection-result"
	ActionNotes            = "notes"
	ActionReassign         = "reassign"
)

// Actions lists every action in the order the desk offers them.
var Actions = []string{ActionClaim, ActionUnclaim, ActionRelease, ActionReject, ActionInspect,
	ActionInspectionResult, ActionNotes, ActionReassign}

// Inspection results.
const (
	ResultRelease = "release"
	ResultDetain  = "detain"
)

// Limits of free text, so that a case stays well inside a KV value.
const (
	MaxReason = 500
	MaxNote   = 2000
	MaxNotes  = 200
)

// Officer is who acts on a case: an officer's party code, and whether
// they are a supervisor (who decides any case and reassigns claims).
type Officer struct {
	Code       string
	Supervisor bool
}

// Request is the body of an action; each action reads its fields.
type Request struct {
	// Reason is required for reject, optional for inspect and the
	// inspection result; it reaches the platform in the receipt.
	Reason string `json:"reason,omitempty"`
	// Result of an inspection: release or detain.
	Result string `json:"result,omitempty"`
	// Status is the detention status of a detain result: 501, 502, 503, 599.
	Status string `json:"status,omitempty"`
	// Text is a note's text.
	Text string `json:"text,omitempty"`
	// Officer is the officer a supervisor reassigns the claim to.
	Officer string `json:"officer,omitempty"`
}

// Allowed says whether officer o may take action on the case at now: nil,
// or the coded refusal —
//   - claim: the case is decidable (errcode.ReviewDecided) and held by
//     nobody else, a supervisor included (errcode.ReviewClaimed); claiming
//     one's own case renews it;
//   - unclaim: the case is claimed (errcode.ReviewNotClaimant), by o unless
//     o is a supervisor (errcode.ReviewClaimed);
//   - reassign: o is a supervisor (errcode.Forbidden) and the case
//     decidable;
//   - release, reject, inspect, inspection-result: the case is decidable
//     and o holds the claim, or is a supervisor (errcode.ReviewClaimed
//     when another holds it, errcode.ReviewNotClaimant when nobody does);
//     an inspection is ordered on a list in review (300) and its result
//     recorded on a list under inspection (500) (errcode.ReviewStatus);
//   - notes: always, open or closed.
//
// It judges who and when, not the request's content, which the action
// itself checks (Decide, Reassign, CheckNote).
func (c *Case) Allowed(o Officer, action string, now time.Time) error {
	switch action {
	case ActionClaim:
		if !c.Decidable() {
			return c.decided()
		}
		if holder := c.ClaimedBy(now); holder != "" && holder != o.Code {
			return c.claimedBy(now)
		}
		return nil
	case ActionUnclaim:
		holder := c.ClaimedBy(now)
		if holder == "" {
			return errcode.New(errcode.ReviewNotClaimant, "case %s is not claimed", c.Key)
		}
		if holder != o.Code && !o.Supervisor {
			return c.claimedBy(now)
		}
		return nil
	case ActionNotes:
		return nil
	case ActionReassign:
		if !o.Supervisor {
			return errcode.New(errcode.Forbidden, "only a supervisor may reassign a case")
		}
		if !c.Decidable() {
			return c.decided()
		}
		return nil
	case ActionRelease, ActionReject:
		return c.mayDecide(o, now)
	case ActionInspect, ActionInspectionResult:
		if err := c.mayDecide(o, now); err != nil {
			return err
		}
		return c.fits(action)
	}
	return errcode.New(errcode.NotFound, "no review action %q", action)
}

// Take claims the case for o until now+ttl (Allowed: claim).
func (c *Case) Take(o Officer, now time.Time, ttl time.Duration) error {
	if err := c.Allowed(o, ActionClaim, now); err != nil {
		return err
	}
	c.Claim = &Claim{Officer: o.Code, At: now, Until: now.Add(ttl)}
	return nil
}

// Unclaim frees the case (Allowed: unclaim).
func (c *Case) Unclaim(o Officer, now time.Time) error {
	if err := c.Allowed(o, ActionUnclaim, now); err != nil {
		return err
	}
	c.Claim = nil
	return nil
}

// Reassign gives the claim to the officer named to, for ttl from now
// (Allowed: reassign); isOfficer tells whether a party code is a customs
// officer's (errcode.BadRequest otherwise). It returns the new holder.
func (c *Case) Reassign(o Officer, to string, isOfficer func(code string) bool, now time.Time, ttl time.Duration) (string, error) {
	if err := c.Allowed(o, ActionReassign, now); err != nil {
		return "", err
	}
	code := strings.TrimSpace(to)
	if !isOfficer(code) {
		return "", errcode.New(errcode.BadRequest, "officer %q is not a customs officer", to)
	}
	c.Claim = &Claim{Officer: code, At: now, Until: now.Add(ttl), By: o.Code}
	return code, nil
}

// Decide turns a decision action of o — release, reject, inspect or
// inspection-result — into the inventory.ReviewDecision that clearance
// applies, and holds it on the case as pending. In order it refuses: what
// Allowed refuses to o except the status (decidable, the claim), a reason
// over MaxReason characters (errcode.BadRequest), a rejection without
// reason (errcode.BadRequest), an inspection or inspection result that
// does not fit the status (errcode.ReviewStatus), an inspection result
// other than release or detain with a detention status (errcode.BadRequest),
// and — clearance's own rule, inventory.State.Decidable — any decision
// that does not fit the list's status (errcode.ReviewStatus). A final
// decision ends the claim; after an inspection order the officer keeps it
// to record the result.
func (c *Case) Decide(o Officer, action string, req Request, now time.Time) (inventory.ReviewDecision, error) {
	d := inventory.ReviewDecision{Key: c.Key, Officer: o.Code}
	switch action {
	case ActionRelease, ActionReject, ActionInspect, ActionInspectionResult:
	default:
		return d, errcode.New(errcode.NotFound, "no review decision %q", action)
	}
	if err := c.mayDecide(o, now); err != nil {
		return d, err
	}
	d.Reason = strings.TrimSpace(req.Reason)
	if utf8.RuneCountInString(d.Reason) > MaxReason {
		return d, errcode.New(errcode.BadRequest, "a reason holds at most %d characters", MaxReason)
	}
	switch action {
	case ActionRelease:
		d.Decision = inventory.DecisionRelease
	case ActionReject:
		if d.Reason == "" {
			return d, errcode.New(errcode.BadRequest, "a rejection needs a reason; the platform reads it in the receipt")
		}
		d.Decision = inventory.DecisionReject
	case ActionInspect:
		if err := c.fits(action); err != nil {
			return d, err
		}
		d.Decision = inventory.DecisionInspect
	case ActionInspectionResult:
		if err := c.fits(action); err != nil {
			return d, err
		}
		switch req.Result {
		case ResultRelease:
			d.Decision = inventory.DecisionRelease
		case ResultDetain:
			if !inventory.Detained(req.Status) {
				return d, errcode.New(errcode.BadRequest, "a detention status is 501, 502, 503 or 599, not %q", req.Status)
			}
			d.Decision, d.Status = inventory.DecisionDetain, req.Status
		default:
			return d, errcode.New(errcode.BadRequest, "an inspection result is %q or %q, not %q", ResultRelease, ResultDetain, req.Result)
		}
	}
	// The domain's own rule has the last word on what fits the status.
	st := inventory.State{View: inventory.View{Status: c.Status}}
	if !st.Decidable(d) {
		return d, errcode.New(errcode.ReviewStatus, "%s does not fit case %s in status %s", action, c.Key, c.Status)
	}
	c.Pending = &Pending{Decision: d.Decision, Status: d.Status, From: c.Status, Officer: o.Code, At: now}
	if d.Decision != inventory.DecisionInspect {
		c.Claim = nil
	}
	return d, nil
}

// CheckNote checks a note's text for a case holding notes notes already:
// not empty, at most MaxNote characters, at most MaxNotes notes a case
// (errcode.BadRequest). It returns the text trimmed.
func CheckNote(key, text string, notes int) (string, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return "", errcode.New(errcode.BadRequest, "a note needs text")
	}
	if utf8.RuneCountInString(text) > MaxNote {
		return "", errcode.New(errcode.BadRequest, "a note holds at most %d characters", MaxNote)
	}
	if notes >= MaxNotes {
		return "", errcode.New(errcode.BadRequest, "case %s holds %d notes already", key, MaxNotes)
	}
	return text, nil
}

// mayDecide: the case is decidable and o holds its claim, or is a
// supervisor.
func (c *Case) mayDecide(o Officer, now time.Time) error {
	if !c.Decidable() {
		return c.decided()
	}
	if holder := c.ClaimedBy(now); holder != o.Code && !o.Supervisor {
		if holder != "" {
			return c.claimedBy(now)
		}
		return errcode.New(errcode.ReviewNotClaimant, "claim case %s before deciding it", c.Key)
	}
	return nil
}

// fits: an inspection is ordered on a list in review, its result recorded
// on a list under inspection.
func (c *Case) fits(action string) error {
	switch {
	case action == ActionInspect && c.Status != inventory.StatusReview:
		return errcode.New(errcode.ReviewStatus, "an inspection is ordered on a list in review (300); case %s is %s", c.Key, c.Status)
	case action == ActionInspectionResult && c.Status != inventory.StatusInspect:
		return errcode.New(errcode.ReviewStatus, "an inspection result is recorded on a list under inspection (500); case %s is %s", c.Key, c.Status)
	}
	return nil
}

func (c *Case) decided() error {
	if c.Pending != nil {
		return errcode.New(errcode.ReviewDecided, "case %s: decision %s by %s is on its way to clearance", c.Key, c.Pending.Decision, c.Pending.Officer)
	}
	return errcode.New(errcode.ReviewDecided, "case %s is already decided (status %s)", c.Key, c.Status)
}

func (c *Case) claimedBy(now time.Time) error {
	cl := c.ActiveClaim(now)
	return errcode.New(errcode.ReviewClaimed, "case %s is claimed by %s until %s", c.Key, cl.Officer, cl.Until.Format(time.RFC3339))
}
