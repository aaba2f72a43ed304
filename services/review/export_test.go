package review

import (
	"slices"

	reviewrule "github.com/cbec/cbec/pkg/review"
)

// HasText reports whether the desk has a text for key, for the tests.
func HasText(key string) bool {
	_, ok := messages[key]
	return ok
}

// Texts is the desk's string table, English then Chinese, for the tests.
func Texts() map[string][2]string { return messages }

// RuntimeKeys are the keys the desk builds while it runs rather than
// writes in a template: a status of every tab and detention, every action,
// every document of the comparison.
func RuntimeKeys() []string {
	var keys []string
	for _, s := range slices.Concat(queueTabs, detentions) {
		keys = append(keys, "status."+s)
	}
	for _, a := range reviewrule.Actions {
		keys = append(keys, "action."+a)
	}
	for _, d := range docNames {
		keys = append(keys, "doc."+d)
	}
	return keys
}

// WithChinese is withChinese, for the tests.
var WithChinese = withChinese
