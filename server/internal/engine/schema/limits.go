package schema

import (
	"strings"

	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
)

// Limits bound what one request may put in a resource. RFC 7643 and 7644
// set no length for a string and no count for a multi-valued attribute;
// without one a single request could store megabytes in a userName, and
// every later list would send them back. A zero field means no limit.
type Limits struct {
	// MaxString is the longest string value, in bytes of UTF-8, of any
	// attribute.
	MaxString int
	// MaxName is the longest userName or displayName, in bytes: names are
	// shown, compared and indexed, so they get a tighter bound.
	MaxName int
	// MaxValues is the most values one multi-valued attribute may carry in
	// one request (members of a Group, emails of a User, the values of one
	// PATCH operation).
	MaxValues int
}

// nameAttrs are the attributes MaxName bounds.
var nameAttrs = []string{"userName", "displayName"}

// Check refuses a request value (a resource body as decoded, or one PATCH
// operation's value at path) that holds a string or an array longer than
// l allows: 400 invalidValue naming the attribute and the limit. It looks
// at every member of the value, also those the schema would drop, so that
// nothing of the refused size is ever kept, and it runs before the value
// is normalised.
func (l Limits) Check(path string, v any) error {
	switch v := v.(type) {
	case string:
		limit, what := l.MaxString, "a string value"
		if isName(path) && l.MaxName > 0 && (limit == 0 || l.MaxName < limit) {
			limit, what = l.MaxName, "a name"
		}
		if limit > 0 && len(v) > limit {
			return scimerror.BadRequest(scimerror.InvalidValue, "%s is %d bytes long; the service provider accepts at most %d bytes for %s", label(path), len(v), limit, what)
		}
	case []any:
		if l.MaxValues > 0 && len(v) > l.MaxValues {
			return scimerror.BadRequest(scimerror.InvalidValue, "%s has %d values; the service provider accepts at most %d values of one attribute in one request", label(path), len(v), l.MaxValues)
		}
		for _, e := range v {
			if err := l.Check(path, e); err != nil {
				return err
			}
		}
	case map[string]any:
		for k, e := range v {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if err := l.Check(p, e); err != nil {
				return err
			}
		}
	}
	return nil
}

// isName reports whether path ends at userName or displayName, whatever
// the URN, parent or value filter in front of it.
func isName(path string) bool {
	last := path
	if i := strings.LastIndexAny(last, ".:]"); i >= 0 {
		last = last[i+1:]
	}
	for _, n := range nameAttrs {
		if strings.EqualFold(last, n) {
			return true
		}
	}
	return false
}

func label(path string) string {
	if path == "" {
		return "the value"
	}
	return path
}
