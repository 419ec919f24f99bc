package envs

import "github.com/boltzflow/boltzflow/envs/assets"

// embeddedModel returns the embedded MJCF file of a task model.
func embeddedModel(name string) ([]byte, error) {
	return assets.ReadFile(name)
}
