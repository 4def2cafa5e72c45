package lint

import (
	"strings"

	"github.com/moby/patternmatcher"
)

// Excluded reports whether BuildKit leaves rel (slash-separated, relative
// to the context root) out of the build context under pm. It applies the
// matcher the way BuildKit's context walk does — directory by directory,
// carrying each parent's results — which is stricter than
// MatchesOrParentMatches about exceptions: "!certs" alone does not bring
// back certs/ca.pem that "**/*.pem" excluded ("!certs/**" does).
func Excluded(pm *patternmatcher.PatternMatcher, rel string) (bool, error) {
	var info patternmatcher.MatchInfo
	parts := strings.Split(rel, "/")
	for i := range parts {
		ok, next, err := pm.MatchesUsingParentResults(strings.Join(parts[:i+1], "/"), info)
		if err != nil {
			return false, err
		}
		if i == len(parts)-1 {
			return ok, nil
		}
		// An excluded directory is not walked unless an exception could
		// bring something below it back.
		if ok && !pm.Exclusions() {
			return true, nil
		}
		info = next
	}
	return false, nil
}
