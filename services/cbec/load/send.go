package load

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"time"
)

// submission is one document to send: its path, the key to send it with,
// and what to start once it was sent.
type submission struct {
	path, key string
	doc       any
	after     func()
	// list is the guid of the import list whose declaration the document
	// belongs to ("" for others): its 202 counts toward the declaration.
	list string
}

// conveyor holds the documents of recent declarations by the step they go
// out in: each declaration's documents go out over four consecutive steps
// in an order of their own, while every request still carries up to a
// batch of documents of one kind.
type conveyor struct {
	phases [4][]submission
}

func (c *conveyor) put(phase int, s submission) { c.phases[phase] = append(c.phases[phase], s) }

// next takes the documents due now and moves the rest one step closer.
func (c *conveyor) next() []submission {
	due := c.phases[0]
	copy(c.phases[:], c.phases[1:])
	c.phases[3] = nil
	return due
}

func (c *conveyor) empty() bool {
	for _, p := range c.phases {
		if len(p) > 0 {
			return false
		}
	}
	return true
}

// send posts subs grouped by path and key in requests of at most a batch,
// all at once, and waits for them; then it starts their follow-ups.
func (g *Generator) send(ctx context.Context, subs []submission) {
	type group struct{ path, key string }
	groups := map[group][]submission{}
	var order []group
	for _, s := range subs {
		k := group{s.path, s.key}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], s)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var follow []func()
	for _, k := range order {
		all := groups[k]
		for from := 0; from < len(all); from += g.cfg.Batch {
			part := all[from:min(from+g.cfg.Batch, len(all))]
			wg.Add(1)
			go func() {
				defer wg.Done()
				docs := make([]any, len(part))
				for n, s := range part {
					docs[n] = s.doc
				}
				ok := g.submit(ctx, k.path, k.key, docs)
				now := time.Now()
				mu.Lock()
				defer mu.Unlock()
				for n, s := range part {
					if s.list != "" && ok[n] {
						g.book.accepted(s.list, now)
					}
					if s.after != nil && ok[n] {
						follow = append(follow, s.after)
					}
				}
			}()
		}
	}
	wg.Wait()
	// Only documents the system accepted are followed up.
	for _, f := range follow {
		f()
	}
}

// submit posts docs as a JSON array, counts the intake results and reports
// which documents were accepted.
func (g *Generator) submit(ctx context.Context, path, key string, docs []any) []bool {
	ok := make([]bool, len(docs))
	body, err := json.Marshal(docs)
	if err != nil {
		g.httpErrors.Add(1)
		return ok
	}
	code, b, err := g.do(ctx, http.MethodPost, path, key, body)
	if err != nil {
		g.httpErrors.Add(1)
		return ok
	}
	accepted, rejected, answered := submitted(code, b, ok)
	if !answered {
		g.httpErrors.Add(1)
	}
	g.accepted.Add(int64(accepted))
	g.rejected.Add(int64(rejected))
	return ok
}

// submitted reads the answer to a submission of len(ok) documents: it
// marks the accepted ones in ok and counts them and the rejected ones;
// answered is false when the answer holds no per-document results (an
// error other than 400, or a body that does not parse).
func submitted(code int, body []byte, ok []bool) (accepted, rejected int, answered bool) {
	if code != http.StatusAccepted && code != http.StatusBadRequest {
		return 0, 0, false
	}
	// 400: nothing accepted; with results, each was rejected on its own.
	var r struct {
		Results []struct {
			Index  int    `json:"index"`
			Status string `json:"status"`
		} `json:"results"`
	}
	if json.Unmarshal(body, &r) != nil || len(r.Results) == 0 {
		return 0, 0, false
	}
	for _, x := range r.Results {
		if x.Status == "accepted" && x.Index >= 0 && x.Index < len(ok) {
			ok[x.Index] = true
			accepted++
		} else {
			rejected++
		}
	}
	return accepted, rejected, true
}

// do sends one request to the configured URL and reads the answer.
func (g *Generator) do(ctx context.Context, method, path, key string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, g.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := g.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if cerr := resp.Body.Close(); err == nil {
		err = cerr
	}
	return resp.StatusCode, b, err
}

// postJSON posts v and decodes a 200 answer into out; it returns the HTTP
// status (0 on a transport error).
func (g *Generator) postJSON(ctx context.Context, path, key string, v, out any) int {
	body, err := json.Marshal(v)
	if err != nil {
		return 0
	}
	code, b, err := g.do(ctx, http.MethodPost, path, key, body)
	if err != nil {
		if ctx.Err() == nil {
			g.httpErrors.Add(1)
		}
		return 0
	}
	if code == http.StatusOK && out != nil {
		_ = json.Unmarshal(b, out)
	}
	return code
}

// getJSON reads path into out; false when it is not (yet) there.
func (g *Generator) getJSON(ctx context.Context, path, key string, out any) bool {
	code, b, err := g.do(ctx, http.MethodGet, path, key, nil)
	if err != nil {
		if ctx.Err() == nil {
			g.httpErrors.Add(1)
		}
		return false
	}
	if code != http.StatusOK {
		if code != http.StatusNotFound {
			g.httpErrors.Add(1)
		}
		return false
	}
	return json.Unmarshal(b, out) == nil
}

// poll calls get every pollEvery until it reports done or within passes;
// it reports whether it was done.
func poll(ctx context.Context, within time.Duration, get func() bool) bool {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	for {
		if get() {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(pollEvery):
		}
	}
}

// pause waits d or until ctx ends; false when ctx ended.
func pause(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
