package review_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/cbec/cbec/deploy"
	"github.com/cbec/cbec/pkg/errcode"
	"github.com/cbec/cbec/pkg/inventory"
	"github.com/cbec/cbec/pkg/risk"
	"github.com/cbec/cbec/pkg/rules"
	"github.com/cbec/cbec/services/review"
	"github.com/cbec/cbec/services/servicetest"
)

// defaultRules loads the rules file the binary embeds.
func defaultRules(t *testing.T) *rules.Set {
	t.Helper()
	set, err := rules.Load(bytes.NewReader(deploy.Rules))
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// hasHan reports whether s holds a Chinese character: a "Chinese" text
// that is English pasted twice has none.
func hasHan(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}

// bilingual fails the test when en is empty or zh holds no Chinese.
func bilingual(t *testing.T, what, en, zh string) {
	t.Helper()
	if strings.TrimSpace(en) == "" {
		t.Errorf("%s: no English text", what)
	}
	if !hasHan(zh) {
		t.Errorf("%s: no Chinese text (%q)", what, zh)
	}
}

// TestEveryTextInBothLanguages walks every text an officer or a platform
// reads from cbec's tables — the embedded risk rules, the stand-in hit of
// a rule that failed to run, the meaning of every error code (each check's
// reason on a receipt, each refusal on the desk) and the desk's own
// strings, those its templates name and those it builds at run time — and
// fails on any without both Chinese and English.
func TestEveryTextInBothLanguages(t *testing.T) {
	set := defaultRules(t)
	if len(set.Risk.Rules()) == 0 {
		t.Fatal("the default rules file has no risk rules")
	}
	for _, s := range set.Risk.Rules() {
		bilingual(t, "risk rule "+s.ID, s.Description.En, s.Description.Zh)
	}
	f := risk.EvalFailed(errors.New("x"))
	bilingual(t, "risk.EvalFailed", f.Description, f.DescriptionZh)

	for _, e := range errcode.Catalogue() {
		bilingual(t, "error code "+string(e.Code), e.Text, e.TextZh)
	}

	for key, text := range review.Texts() {
		if key == "lang.switch" {
			// The switch names the other language, each in its own words.
			bilingual(t, "desk text "+key, text[1], text[0])
			continue
		}
		bilingual(t, "desk text "+key, text[0], text[1])
	}
	keys := review.RuntimeKeys()
	for _, s := range []string{inventory.StatusDeclared, inventory.StatusRejected, inventory.StatusAccepted, inventory.StatusReview,
		inventory.StatusConcluded, inventory.StatusInspect, inventory.StatusReleased, inventory.StatusCancelled} {
		keys = append(keys, "status."+s)
	}
	for _, k := range keys {
		if !review.HasText(k) {
			t.Errorf("desk text %q is missing", k)
		}
	}
}

// unresolved matches a desk key shown as itself, which is what a key
// without a text renders as.
var unresolved = regexp.MustCompile(`\b(?:field|status|doc|action|case|quota|tax|line|hist|audit|filter|col|signin|reason|confirm|done|error)\.[A-Za-z0-9-]+\b`)

// deskPage reads a desk page in a session, failing on any status but 200.
func deskPage(t *testing.T, s deskSession, path string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", s.base+path, nil)
	req.Header.Set("Accept", "text/html")
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d %s", path, resp.StatusCode, b)
	}
	return string(b)
}

// TestChineseDeskShowsChineseTexts renders the Chinese queue, case page and
// an error page: the rule's reason is the rules file's Chinese text, the
// error's meaning is the catalogue's Chinese, and no text shows as its key.
func TestChineseDeskShowsChineseTexts(t *testing.T) {
	h := newHarness(t)
	key := flagged(t, h, "RV-ZH-1")
	set := defaultRules(t)
	r001 := set.Risk.Rules()[0]
	if r001.ID != "R001" {
		t.Fatalf("first default rule %s", r001.ID)
	}

	s := signIn(t, h, servicetest.KeyOfficer)
	casePage := deskPage(t, s, "/review/cases/"+key+"?lang=zh")
	queue := deskPage(t, s, "/review/?lang=zh")
	for name, page := range map[string]string{"case": casePage, "queue": queue} {
		if !strings.Contains(page, r001.Description.Zh) {
			t.Errorf("Chinese %s page lacks R001's Chinese text %q", name, r001.Description.Zh)
		}
		if strings.Contains(page, r001.Description.En) {
			t.Errorf("Chinese %s page shows R001's English text", name)
		}
		if m := unresolved.FindAllString(page, -1); len(m) > 0 {
			t.Errorf("Chinese %s page shows keys without a text: %v", name, m)
		}
	}
	if en := deskPage(t, s, "/review/cases/"+key+"?lang=en"); !strings.Contains(en, r001.Description.En) {
		t.Errorf("English case page lacks R001's English text")
	}

	// An error page gives the code's meaning in the desk's language.
	req, _ := http.NewRequest("GET", h.URL+"/review/cases/inv.nope.nope?lang=zh", nil)
	req.Header.Set("Accept", "text/html")
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(b), errcode.DescribeZh(errcode.NotFound)) {
		t.Errorf("Chinese error page: %d %s", resp.StatusCode, b)
	}
}

// TestOldHitsBorrowTheRulesChinese checks the hits recorded before the
// rules were bilingual: one whose rule still says the same in English
// gets the rule's Chinese, one whose rule has changed stays in English,
// and the case's own hits are left as they were.
func TestOldHitsBorrowTheRulesChinese(t *testing.T) {
	set := defaultRules(t)
	r001 := set.Risk.Rules()[0]
	old := []risk.Hit{
		{RuleID: "R001", Description: r001.Description.En, Action: risk.Review},
		{RuleID: "R002", Description: "an older wording of R002", Action: risk.Review},
		{RuleID: "R003", Description: "three", DescriptionZh: "三", Action: risk.Review},
	}
	got := review.WithChinese(old, set.Risk)
	if got[0].DescriptionZh != r001.Description.Zh || got[1].DescriptionZh != "" || got[2].DescriptionZh != "三" {
		t.Errorf("hits %+v", got)
	}
	if old[0].DescriptionZh != "" {
		t.Error("withChinese changed the case's hits")
	}
	if en, zh := review.English.Hit(got[1]), review.Chinese.Hit(got[1]); en != zh || en != "an older wording of R002" {
		t.Errorf("a hit without Chinese shows %q / %q", en, zh)
	}
}
