package shard

import (
	"context"
	"errors"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	listers "k8s.io/client-go/listers/coordination/v1"
	"k8s.io/client-go/tools/cache"
)

// Run holds this replica's Lease, renewing it every renew interval, and
// watches the member Leases until ctx is done. Then it deletes its Lease at
// once, so the others take its repositories over without waiting for it to
// expire, and returns nil. It returns an error early only when the first
// renewal shows the configuration is wrong (no such namespace, no right to
// Leases). Run may be called once.
func (s *Shard) Run(ctx context.Context) error {
	if !s.started.CompareAndSwap(false, true) {
		return errors.New("shard: Run called twice")
	}
	if err := s.renew(ctx); err != nil && isConfigError(err) {
		return fmt.Errorf("holding lease %s/%s: %w", s.ns, s.lease, err)
	}
	lister, synced, stop, err := s.watch(ctx)
	if err != nil {
		s.release(ctx)
		return err
	}
	defer stop()
	if !cache.WaitForCacheSync(ctx.Done(), synced) {
		s.release(ctx)
		return nil
	}
	s.loop(ctx, lister)
	s.release(ctx)
	return nil
}

// loop renews, refreshes the membership and hands triggers over until ctx is done.
func (s *Shard) loop(ctx context.Context, lister listers.LeaseNamespaceLister) {
	ticker := time.NewTicker(s.o.renew)
	defer ticker.Stop()
	expiry := time.NewTimer(0)
	defer expiry.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			_ = s.renew(ctx)
		case <-s.poke:
		case <-expiry.C:
		}
		s.refresh(ctx, lister)
		s.handleTriggers(ctx, lister)
		expiry.Reset(time.Until(s.nextExpiry()) + time.Millisecond)
	}
}

// watch starts an informer on the member Leases of the namespace; synced
// reports when it has listed them once; stop ends it.
func (s *Shard) watch(ctx context.Context) (lister listers.LeaseNamespaceLister, synced cache.InformerSynced, stop func(), err error) {
	factory := informers.NewSharedInformerFactoryWithOptions(s.client, 0,
		informers.WithNamespace(s.ns),
		informers.WithTweakListOptions(func(lo *metav1.ListOptions) { lo.LabelSelector = selector }))
	inf := factory.Coordination().V1().Leases()
	poke := func(any) { s.signal(s.poke) }
	if _, err := inf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: poke, UpdateFunc: func(_, o any) { poke(o) }, DeleteFunc: poke,
	}); err != nil {
		return nil, nil, nil, fmt.Errorf("watching leases: %w", err)
	}
	if err := inf.Informer().SetWatchErrorHandlerWithContext(func(_ context.Context, _ *cache.Reflector, err error) {
		s.o.log.Warn("watching member leases failed; retrying", "namespace", s.ns, "error", err)
	}); err != nil {
		return nil, nil, nil, fmt.Errorf("watching leases: %w", err)
	}
	ictx, cancel := context.WithCancel(ctx)
	factory.Start(ictx.Done())
	stop = func() { cancel(); factory.Shutdown() }
	return inf.Lister().Leases(s.ns), inf.Informer().HasSynced, stop, nil
}
