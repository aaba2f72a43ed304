package clearance

import "context"

// AfterLostDecision lets the tests drive the reconciliation of an attempt
// whose state write lost at revision lost.
func AfterLostDecision(ctx context.Context, c *Clearance, key, row string, lost uint64) error {
	return c.afterLostDecision(ctx, key, row, lost)
}
