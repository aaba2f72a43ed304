package client_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cbec/cbec/pkg/ceb"
	"github.com/cbec/cbec/pkg/ceb/cebtest"
	"github.com/cbec/cbec/pkg/client"
	"github.com/cbec/cbec/pkg/clock"
	"github.com/cbec/cbec/pkg/webhook"
)

// waitStatus reads the agent's receipts of msgType by cursor until one has
// status, as a party polling its queue does.
func waitStatus(ctx context.Context, c *client.Client, msgType ceb.MsgType, status string) (client.Receipt, error) {
	var after uint64
	for {
		page, err := c.Receipts(ctx, client.ReceiptsQuery{After: after, MsgType: msgType})
		if err != nil {
			return client.Receipt{}, err
		}
		for _, r := range page.Receipts {
			if r.Status() == status {
				return r, nil
			}
		}
		after = page.Next
		select {
		case <-ctx.Done():
			return client.Receipt{}, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// One declaration from order to release: each party submits its document,
// the agent reads the list's receipts by cursor and its state.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	o, p, l, i := cebtest.Set("CLIENT-0001")
	for _, s := range []struct {
		key string
		doc ceb.Declaration
	}{{"demo-ebp", o}, {"demo-pay", p}, {"demo-logistics-cq", l}, {"demo-agent", i}} {
		c, err := client.New(server.URL, s.key)
		if err != nil {
			panic(err)
		}
		res, err := c.Submit(ctx, s.doc)
		if err != nil {
			panic(err)
		}
		fmt.Println(res.Results[0].MsgType, res.Results[0].Status)
	}

	agent, _ := client.New(server.URL, "demo-agent")
	r, err := waitStatus(ctx, agent, ceb.CEB622, "800")
	if err != nil {
		panic(err)
	}
	doc, _ := r.Document()
	fmt.Println("CEB622", doc.(*ceb.InventoryReturn).ReturnInfo)

	st, err := agent.Inventory(ctx, cebtest.EbpCode, "CLIENT-0001")
	if err != nil {
		panic(err)
	}
	fmt.Println("state", st.Status, len(st.History), "steps")
	// Output:
	// CEB311 accepted
	// CEB411 accepted
	// CEB511 accepted
	// CEB621 accepted
	// CEB622 放行 released
	// state 800 4 steps
}

// Reading receipts by cursor: a page, then the next from its cursor; an
// empty page keeps the cursor.
func ExampleClient_Receipts() {
	ctx := context.Background()
	c, _ := client.New(server.URL, "demo-ebp")
	o, _, _, _ := cebtest.Set("CLIENT-0002")
	if _, err := c.Submit(ctx, o); err != nil {
		panic(err)
	}
	var first *client.ReceiptsPage
	for first == nil || len(first.Receipts) == 0 {
		p, err := c.Receipts(ctx, client.ReceiptsQuery{MsgType: ceb.CEB312, Limit: 1})
		if err != nil {
			panic(err)
		}
		first = p
	}
	r := first.Receipts[0]
	fmt.Println(r.MsgType, r.Status(), first.Next == r.Cursor)

	next, err := c.Receipts(ctx, client.ReceiptsQuery{After: 1 << 40, MsgType: ceb.CEB312})
	if err != nil {
		panic(err)
	}
	fmt.Println(len(next.Receipts), next.Next == 1<<40)
	// Output:
	// CEB312 120 true
	// 0 true
}

// A CEB XML message, and the receipts read back as a CEB receipt message.
func ExampleClient_SubmitMessage() {
	ctx := context.Background()
	c, _ := client.New(server.URL, "demo-pay")
	_, p, _, _ := cebtest.Set("CLIENT-0003")
	res, err := c.SubmitMessage(ctx, cebtest.Message(p))
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Accepted, res.Results[0].MsgType)

	var msg []byte
	var next uint64
	for msg == nil { // the receipt comes once clearance has stored the payment
		if msg, next, err = c.ReceiptsXML(ctx, client.ReceiptsQuery{MsgType: ceb.CEB412}); err != nil {
			panic(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	m, err := ceb.DecodeXML(msg)
	if err != nil {
		panic(err)
	}
	fmt.Println(m.Type, m.Documents[0].(*ceb.PaymentReturn).ReturnStatus, next > 0)
	// Output:
	// 1 CEB411
	// CEB412 120 true
}

// cbec's refusals are *client.Error values with the cbec code.
func ExampleError() {
	ctx := context.Background()
	stranger, _ := client.New(server.URL, "no-such-key")
	_, err := stranger.Receipts(ctx, client.ReceiptsQuery{})
	fmt.Println(client.Code(err))

	agent, _ := client.New(server.URL, "demo-agent")
	_, err = agent.Inventory(ctx, cebtest.EbpCode, "NO-SUCH-ORDER")
	fmt.Println(client.Code(err))

	// An order under a key already taken by another order: nothing accepted.
	ebp, _ := client.New(server.URL, "demo-ebp")
	o, _, _, _ := cebtest.Set("CLIENT-0004")
	if _, err := ebp.Submit(ctx, o); err != nil {
		panic(err)
	}
	o.OrderHead.Guid = cebtest.GUID("another", "CLIENT-0004")
	_, err = ebp.Submit(ctx, o)
	var e *client.Error
	if errors.As(err, &e) {
		fmt.Println(e.Status, e.Code, e.Results[0].Error.Code)
	}
	// Output:
	// -900401
	// -900404
	// 400 -301010 -301010
}

// A webhook receiver checks each delivery before trusting it.
func ExampleClient_VerifyWebhook() {
	now := time.Date(2025, 3, 10, 10, 0, 0, 0, clock.Shanghai)
	c, _ := client.New(server.URL, "demo-agent", client.WithClock(clock.NewFixed(now)))
	secret := []byte("the subscription's secret")
	body := []byte(`[{"guid":"CD51135C-0AE4-6875-5337-62C7F035E6E0","returnStatus":"800"}]`)
	header := webhook.Sign(secret, now.Add(-time.Minute), body) // what cbec sent

	fmt.Println(c.VerifyWebhook(secret, header, body))
	fmt.Println(c.VerifyWebhook(secret, header, append(body, ' ')))
	err := c.VerifyWebhook(secret, webhook.Sign(secret, now.Add(-time.Hour), body), body) // replayed an hour later
	fmt.Println(errors.Is(err, webhook.ErrStale))
	// Output:
	// <nil>
	// webhook: signature does not match
	// true
}

// waitExport reads the export list's state until it has status, as a
// party following its declaration does.
func waitExport(ctx context.Context, c *client.Client, ebpCode, orderNo, status string) (*client.State, error) {
	for {
		st, err := c.ExportList(ctx, ebpCode, orderNo)
		if err != nil && client.Code(err) != "-900404" { // not declared yet: read again
			return nil, err
		}
		if st != nil && st.Status == status {
			return st, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// A 9610 export from order to departure: the four documents, each from its
// party, then the goods' arrival at the supervised site and their
// departure; the agent follows the list's state — accepted (120), released
// on arrival (800), closed on departure (899).
func ExampleClient_ExportList() {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	submit := func(key string, doc ceb.Declaration) {
		c, err := client.New(server.URL, key)
		if err != nil {
			panic(err)
		}
		if _, err := c.Submit(ctx, doc); err != nil {
			panic(err)
		}
	}
	o, r, l, i := cebtest.ExportSet("CLIENT-E001")
	submit("demo-ebp", o)
	submit("demo-pay", r)
	submit("demo-logistics-cq", l)
	submit("demo-agent", i)

	agent, _ := client.New(server.URL, "demo-agent")
	st, err := waitExport(ctx, agent, cebtest.EbpCode, "CLIENT-E001", "120")
	if err != nil {
		panic(err)
	}
	fmt.Println(st.Status, len(st.InvtNo), "character customs number")

	submit("demo-logistics-cq", cebtest.Arrival(l))
	if st, err = waitExport(ctx, agent, cebtest.EbpCode, "CLIENT-E001", "800"); err != nil {
		panic(err)
	}
	fmt.Println(st.Status, "released:", !st.ReleasedAt.IsZero())

	submit("demo-logistics-cq", cebtest.Departure(l))
	if st, err = waitExport(ctx, agent, cebtest.EbpCode, "CLIENT-E001", "899"); err != nil {
		panic(err)
	}
	var steps []string
	for _, s := range st.History {
		steps = append(steps, s.Status)
	}
	fmt.Println(strings.Join(steps, " → "))
	// Output:
	// 120 18 character customs number
	// 800 released: true
	// 2 → 120 → arrived → 800 → 899
}
