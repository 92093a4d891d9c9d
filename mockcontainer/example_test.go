package mockcontainer_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"strings"

	"github.com/scimconf/scimconf/mockcontainer"
)

// Start the mock in a container, provision a user through SCIM as a
// connector would, and check through the management API what account
// management sees. It needs a Docker engine and the image (`make image`),
// so it is compiled but not run by go test; TestRunCreateGetAndManage runs
// the same steps.
func ExampleRun() {
	ctx := context.Background()
	mock, err := mockcontainer.Run(ctx,
		mockcontainer.WithSchema("dynatrace"),
		mockcontainer.WithLimits(mockcontainer.Limits{MaxUsers: 100}),
	)
	if err != nil {
		log.Fatal(err)
	}
	defer mock.Terminate(ctx)

	// Your connector gets mock.SCIMBaseURL and mock.SCIMToken; here a
	// plain request stands in for it.
	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
		"userName":"jane@` + mock.VerifiedDomain + `",
		"name":{"givenName":"Jane","familyName":"Doe"},"active":true}`
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, mock.SCIMBaseURL+"/Users", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+mock.SCIMToken)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println("POST /Users:", resp.StatusCode)

	users, err := mock.Admin.Users(ctx, mock.AccountID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("account management sees:", users[0].Email, users[0].Status)
}
