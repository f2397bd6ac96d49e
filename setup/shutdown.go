package setup

import (
	"context"
	"sync"
)

// onceShutdown returns the shutdown function around stop: the first call runs
// stop, within DefaultShutdownTimeout when ctx has no deadline, and
// returns its error; later calls do nothing and return nil.
func onceShutdown(stop func(ctx context.Context) error) func(context.Context) error {
	var once sync.Once
	return func(ctx context.Context) error {
		var err error
		once.Do(func() {
			if _, ok := ctx.Deadline(); !ok {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, DefaultShutdownTimeout)
				defer cancel()
			}
			err = stop(ctx)
		})
		return err
	}
}
