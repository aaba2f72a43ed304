package clearance

import (
	"context"
	"errors"
	"time"

	"github.com/cbec/cbec/pkg/broker"
	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/docstore"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/identity"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/cbec/cbec/pkg/quota"
)

// cancel applies a cancellation (CEB623): a list checked but not released
// is withdrawn and its quota given back (D6, D18: the cancellation takes
// effect at 399); anything else is refused with its code. Receipts CEB624
// go to the agent and the platform.
func (c *Clearance) cancel(ctx context.Context, by string, seq uint64, d *ceb.InvtCancel, now time.Time) error {
	refuse := func(e *errcode.Error) error {
		return c.cancelReceipts(ctx, by, seq, d, nil, now, inventory.StatusRejected, string(e.Code)+": "+e.Message)
	}
	// The cancellation names its list's order: the list is found by it and
	// must carry the customs number the cancellation gives.
	key := docstore.InventoryKey(d.EbpCode, d.OrderNo)
	st, rev, found, err := c.loadState(ctx, key)
	if err != nil {
		return err
	}
	if !found || st.InvtNo == "" {
		return refuse(errcode.New(errcode.CancelUnknown, "no inventory list %s of order %s", d.InvtNo, d.OrderNo))
	}
	buyer := quota.BuyerKey(c.env.QuotaSecret, identity.Normalize(d.BuyerIdNumber))
	if !sameDeclaration(st, d, buyer) {
		return refuse(errcode.New(errcode.CancelUnknown, "inventory list %s is not the list of order %s, waybill %s and this buyer declared by %s", d.InvtNo, d.OrderNo, d.LogisticsNo, d.AgentCode))
	}
	if st.CancelSeq != seq {
		if !st.Cancellable() {
			return refuse(errcode.New(errcode.CancelForbidden, "inventory list %s is in status %s and cannot be cancelled", d.InvtNo, st.Status))
		}
		from := len(st.History)
		st.CancelSeq = seq
		st.Record(inventory.StatusCancelled, "撤销 cancelled: "+inventory.Truncate(d.Reason, 200), now)
		if st.Counted != nil {
			st.Counted.GivenBack = true
		}
		st.By, st.From = by, from
		if _, err := c.saveState(ctx, key, st, rev); err != nil {
			if errors.Is(err, broker.ErrConflict) {
				return broker.Retry(err, 20*time.Millisecond)
			}
			return err
		}
	}
	// Applied (now or by an earlier delivery): give the quota back — once,
	// the ledger knows — then confirm.
	if st.Counted != nil {
		if err := c.ledger.GiveBack(ctx, st.Counted.Row, key); err != nil {
			return err
		}
	}
	if err := c.replay(ctx, key, st, by); err != nil {
		return err
	}
	return c.cancelReceipts(ctx, by, seq, d, st, now, inventory.StatusAccepted, inventory.StatusConcluded)
}

// sameDeclaration is X19: the cancellation names the list's own order,
// waybill, buyer and declaring agent.
func sameDeclaration(st *inventory.State, d *ceb.InvtCancel, buyer string) bool {
	return st.InvtNo == d.InvtNo && st.OrderNo == d.OrderNo && st.EbpCode == d.EbpCode && st.LogisticsNo == d.LogisticsNo &&
		st.LogisticsCode == d.LogisticsCode && st.AgentCode == d.AgentCode &&
		st.Buyer == buyer
}

// cancelReceipts sends CEB624 receipts: a refusal (100 with its info), or
// the confirmation 120 then 399.
func (c *Clearance) cancelReceipts(ctx context.Context, by string, seq uint64, d *ceb.InvtCancel, st *inventory.State, now time.Time, statuses ...string) error {
	info := ""
	if statuses[0] == inventory.StatusRejected {
		info, statuses = statuses[1], statuses[:1]
	}
	for _, status := range statuses {
		r := ceb.NewReceipt(d, status, receiptInfo(status, info), now).(*ceb.InvtCancelReturn)
		r.PreNo = inventory.PreNo('I', now, seq) // the cancellation's own pre-entry number
		r.CopNo = inventory.CopNo(d.CopNo, d.OrderNo)
		r.InvtNo = ""
		if len(d.InvtNo) == 18 {
			r.InvtNo = d.InvtNo
		}
		if st != nil {
			r.CustomsCode = st.CustomsCode
		}
		if err := c.outbox.Send(ctx, by+"/"+status, r, now, d.AgentCode, d.EbpCode); err != nil {
			return err
		}
	}
	return nil
}

func receiptInfo(status, info string) string {
	switch status {
	case inventory.StatusAccepted:
		return "海关入库 cancellation accepted"
	case inventory.StatusConcluded:
		return "海关审结 cancellation in effect; quota given back"
	}
	return inventory.Truncate(info, 1000)
}
