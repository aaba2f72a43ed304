package review

// HasText reports whether the desk has a text for key, for the tests.
func HasText(key string) bool {
	_, ok := messages[key]
	return ok
}
