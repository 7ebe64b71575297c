package config

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// minEvery is the shortest "@every" interval a schedule may use.
const minEvery = time.Second

// parseSchedule parses a schedule spec as documented on
// [Repository.Schedule]: five cron fields or a descriptor such as "@hourly"
// or "@every 5m", optionally prefixed with "CRON_TZ=<zone> ".
func parseSchedule(spec string) (sched cron.Schedule, err error) {
	if err := precheckSchedule(spec); err != nil {
		return nil, err
	}
	defer func() { // robfig/cron panics on some malformed specs
		if r := recover(); r != nil {
			sched, err = nil, errors.New("malformed cron spec")
		}
	}()
	p := cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
	return p.Parse(spec)
}

// precheckSchedule rejects what robfig/cron would panic on or silently
// round: a bare time zone prefix and "@every" below minEvery.
func precheckSchedule(spec string) error {
	rest := spec
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		i := strings.Index(spec, " ")
		if i < 0 {
			return errors.New("time zone prefix must be followed by a space and a schedule")
		}
		rest = strings.TrimSpace(spec[i:])
	}
	every, ok := strings.CutPrefix(rest, "@every ")
	if !ok {
		return nil
	}
	d, err := time.ParseDuration(strings.TrimSpace(every))
	if err != nil {
		return fmt.Errorf("parsing @every interval: %w", err)
	}
	if d < minEvery {
		return fmt.Errorf("@every interval must be at least %s", minEvery)
	}
	return nil
}
