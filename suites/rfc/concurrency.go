package rfc

import (
	"fmt"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimconf/scimconf/suites/scimtest"
)

// racers is how many requests each concurrency spec sends at once.
const racers = 10

// sendAtOnce sends racers requests at once (each from its own goroutine,
// released together) and returns the responses in start order. send must
// not call Gomega or Ginkgo: failures are checked on the spec goroutine.
func sendAtOnce(send func(i int) *scimtest.Response) []*scimtest.Response {
	out := make([]*scimtest.Response, racers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i] = send(i)
		}()
	}
	close(start)
	wg.Wait()
	return out
}

// renderExchanges renders responses for a failure message.
func renderExchanges(rs []*scimtest.Response) string {
	s := ""
	for i, r := range rs {
		s += fmt.Sprintf("--- request %d\n%s", i+1, r)
	}
	return s
}

var _ = Describe("Concurrency", func() {
	It("gives parallel creates of one userName exactly one 201; the rest are 409 uniqueness", Label("RFC-CONCURRENCY", "RFC-UNIQUENESS"), func(ctx SpecContext) {
		userName := T.Name() + "@" + T.Domain()
		rs := sendAtOnce(func(int) *scimtest.Response {
			return T.Client.Post(ctx, "/Users", T.NewUser("userName", userName))
		})
		created := 0
		for _, r := range rs {
			if r.Status == 201 && r.Str("id") != "" {
				created++
				T.CleanupLater("/Users/" + r.Str("id"))
			}
		}
		Expect(created).To(Equal(1), "RFC 7644 section 3.3: of %d parallel creates of one userName exactly one succeeds:\n%s", racers, renderExchanges(rs))
		for _, r := range rs {
			if r.Status != 201 {
				Expect(r).To(scimtest.HaveSCIMError(409, "uniqueness"), "RFC 7644 section 3.3: the losers of the race get 409 uniqueness")
			}
		}
		Expect(T.CountWhere(ctx, "/Users", scimtest.EqFilter("userName", userName))).To(Equal(1), "exactly one User has the userName after the race")
	})

	It("gives parallel creates of one unique Group displayName exactly one 201", Label("RFC-CONCURRENCY", "RFC-UNIQUENESS"), func(ctx SpecContext) {
		if a, ok := T.Caps.Attr("Group", "displayName"); !ok || a.Uniqueness == "none" {
			Skip("the target does not declare Group.displayName unique")
		}
		name := T.Name()
		rs := sendAtOnce(func(int) *scimtest.Response {
			return T.Client.Post(ctx, "/Groups", T.NewGroup("displayName", name))
		})
		created := 0
		for _, r := range rs {
			if r.Status == 201 && r.Str("id") != "" {
				created++
				T.CleanupLater("/Groups/" + r.Str("id"))
			}
		}
		Expect(created).To(Equal(1), "of %d parallel creates of one unique displayName exactly one succeeds:\n%s", racers, renderExchanges(rs))
		for _, r := range rs {
			if r.Status != 201 {
				Expect(r).To(scimtest.HaveSCIMError(409, "uniqueness"))
			}
		}
	})

	It("loses none of many parallel creates of different Users", Label("RFC-CONCURRENCY", "RFC-CREATE"), func(ctx SpecContext) {
		prefix := T.Name() + "-"
		rs := sendAtOnce(func(i int) *scimtest.Response {
			return T.Client.Post(ctx, "/Users", T.NewUser("userName", fmt.Sprintf("%s%d@%s", prefix, i, T.Domain())))
		})
		for _, r := range rs {
			if r.Status == 201 && r.Str("id") != "" {
				T.CleanupLater("/Users/" + r.Str("id"))
			}
		}
		ids := map[string]bool{}
		for _, r := range rs {
			Expect(r).To(scimtest.HaveStatus(201), "parallel creates of different Users all succeed")
			ids[r.Str("id")] = true
		}
		Expect(ids).To(HaveLen(racers), "every User created in parallel has an id of its own:\n%s", renderExchanges(rs))
		// Read back by id: a filter would need an operator the rule does
		// not test.
		for id := range ids {
			Expect(T.Client.Get(ctx, "/Users/"+id)).To(scimtest.HaveStatus(200), "every User created in parallel exists afterwards")
		}
	})

	It("lets exactly one of parallel PUTs with the same If-Match through", Label("RFC-CONCURRENCY", "RFC-ETAG"), func(ctx SpecContext) {
		if !T.Caps.ETag {
			Skip(T.Caps.Unsupported("etag.supported"))
		}
		created := T.MustCreate(ctx, "/Users", T.NewUser())
		id, etag := created.Str("id"), created.Header.Get("ETag")
		rs := sendAtOnce(func(i int) *scimtest.Response {
			return T.Client.Put(ctx, "/Users/"+id, T.NewUser("userName", created.Str("userName"), "name.givenName", fmt.Sprintf("Racer%d", i)), "If-Match", etag)
		})
		won := 0
		for _, r := range rs {
			if r.Status == 200 {
				won++
			} else {
				Expect(r).To(scimtest.HaveSCIMError(412, ""), "RFC 7644 section 3.14: a PUT whose If-Match went stale is 412")
			}
		}
		Expect(won).To(Equal(1), "RFC 7644 section 3.14: one version can be replaced only once:\n%s", renderExchanges(rs))
	})
})
