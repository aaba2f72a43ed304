package refund

import "slices"

// Status is the state of a return (§16 project model):
//
//	requested → arrived → sorted → accepted | rejected
//	requested → expired            (goods not arrived by the end of day 45)
//	requested | arrived → rejected (late arrival, refused application, …)
//
// A return is requested by its CEB625 application; the warehouse or site
// then reports the goods' arrival and the sorting result, and customs'
// decision makes it accepted (quota restored, tax not levied) or rejected.
type Status string

// The states of a return.
const (
	// Requested: the CEB625 application passed the checks; the goods are
	// awaited.
	Requested Status = "requested"
	// Arrived: the goods reached the return-center warehouse or site.
	Arrived Status = "arrived"
	// Sorted: the warehouse sorted the goods as meeting return supervision
	// requirements (No.70 clause 6).
	Sorted Status = "sorted"
	// Accepted: customs accepted the return (CEB626 399, D18).
	Accepted Status = "accepted"
	// Rejected: the return was refused: late arrival, goods not resaleable
	// (to be re-shipped out of the zone) or customs refusal.
	Rejected Status = "rejected"
	// Expired: the goods did not arrive by the end of the arrival window (D7).
	Expired Status = "expired"
)

// next lists the allowed transitions; a state absent as a key is final.
var next = map[Status][]Status{
	Requested: {Arrived, Rejected, Expired},
	Arrived:   {Sorted, Rejected},
	Sorted:    {Accepted, Rejected},
}

// Valid reports whether s is one of the states.
func (s Status) Valid() bool {
	switch s {
	case Requested, Arrived, Sorted, Accepted, Rejected, Expired:
		return true
	}
	return false
}

// Can reports whether a return in state s may move to state n. Staying in
// the same state is not a transition, so a repeated event is refused
// (errcode.ReturnState) rather than applied twice.
func (s Status) Can(n Status) bool {
	return slices.Contains(next[s], n)
}

// Final reports whether s is a final state (accepted, rejected, expired),
// from which no transition leads.
func (s Status) Final() bool {
	return s == Accepted || s == Rejected || s == Expired
}
