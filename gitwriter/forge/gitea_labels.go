package forge

import (
	"strings"

	"code.gitea.io/sdk/gitea"
)

// labelColor is the color of labels hoist creates.
const labelColor = "#0e8a16"

// labelIDs returns the IDs of the repository labels named names, creating
// the ones that do not exist yet (case-insensitively matched).
func (c *giteaCall) labelIDs(names []string) ([]int64, error) {
	if len(names) == 0 {
		return nil, nil
	}
	have, err := c.repoLabels()
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(names))
	for _, n := range names {
		id, ok := have[strings.ToLower(n)]
		if !ok {
			l, resp, err := c.sdk.CreateLabel(c.owner, c.name, gitea.CreateLabelOption{
				Name: n, Color: labelColor, Description: "Set by hoist",
			})
			if err != nil {
				return nil, c.fail("creating label "+safeText(n), resp, err)
			}
			id = l.ID
			have[strings.ToLower(n)] = id
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// repoLabels maps lower-cased label names to IDs.
func (c *giteaCall) repoLabels() (map[string]int64, error) {
	have := map[string]int64{}
	for page := 1; page <= giteaPages; page++ {
		ls, resp, err := c.sdk.ListRepoLabels(c.owner, c.name, gitea.ListLabelsOptions{
			ListOptions: gitea.ListOptions{Page: page, PageSize: 50},
		})
		if err != nil {
			return nil, c.fail("listing labels", resp, err)
		}
		for _, l := range ls {
			have[strings.ToLower(l.Name)] = l.ID
		}
		if len(ls) < 50 {
			break
		}
	}
	return have, nil
}
