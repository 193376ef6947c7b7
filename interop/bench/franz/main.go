// franz-bench times franz-go's whole leader path on a group in the
// kassign scenario format, through franz-go's public balancer API:
//
//	franz-bench --strategy S [--runs N] [--budget SECONDS] FILE
//
// Untimed: each member's JoinGroup metadata is written with the balancer's
// own JoinGroupMetadata (topics sorted, owned partitions and generation as
// the scenario says), as a franz-go member sends it. Timed, as
// groupConsumer.balanceGroup runs on the leader: the member sort (instance
// id, then member id), MemberBalancer (every member's metadata parsed), the
// partition counts of the topics it reports, Balance, and
// IntoSyncAssignment (every member's SyncGroup assignment bytes).
//
// One warm-up run, then up to N timed runs, stopping early once the timed
// runs together pass the budget (at least one always runs). Prints one JSON
// line shaped like `kassign bench`: strategy, runs, min_ms, median_ms,
// max_ms, peak_rss_mb.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

type scenario struct {
	Topics  map[string]json.RawMessage `json:"topics"`
	Members []struct {
		ID         string             `json:"id"`
		InstanceID *string            `json:"instance_id"`
		Rack       *string            `json:"rack"`
		Topics     []string           `json:"topics"`
		Owned      map[string][]int32 `json:"owned"`
		Generation *int32             `json:"generation"`
	} `json:"members"`
}

func balancer(name string) (kgo.GroupBalancer, error) {
	switch name {
	case "range":
		return kgo.RangeBalancer(), nil
	case "roundrobin":
		return kgo.RoundRobinBalancer(), nil
	case "sticky":
		return kgo.StickyBalancer(), nil
	case "cooperative-sticky":
		return kgo.CooperativeStickyBalancer(), nil
	}
	return nil, fmt.Errorf("unknown strategy %q (range, roundrobin, sticky, cooperative-sticky)", name)
}

// partitionCount reads a topic's entry: a count, or {"partitions": n, ...}.
func partitionCount(name string, raw json.RawMessage) (int32, error) {
	var n int32
	if err := json.Unmarshal(raw, &n); err == nil {
		return n, nil
	}
	var object struct {
		Partitions int32 `json:"partitions"`
	}
	if err := json.Unmarshal(raw, &object); err != nil {
		return 0, fmt.Errorf("topic %q: %v", name, err)
	}
	return object.Partitions, nil
}

// leader is one run of the leader's path; members is the JoinGroup
// response's member list, which it sorts in place (the caller hands a copy).
func leader(b kgo.GroupBalancer, members []kmsg.JoinGroupResponseMember, counts map[string]int32) ([]kmsg.SyncGroupRequestGroupAssignment, error) {
	sort.Slice(members, func(i, j int) bool {
		l, r := &members[i], &members[j]
		if l.InstanceID != nil {
			if r.InstanceID == nil {
				return true
			}
			return *l.InstanceID < *r.InstanceID
		}
		if r.InstanceID != nil {
			return false
		}
		return l.MemberID < r.MemberID
	})
	mb, topics, err := b.MemberBalancer(members)
	if err != nil {
		return nil, err
	}
	known := make(map[string]int32, len(topics))
	for topic := range topics {
		if n, ok := counts[topic]; ok {
			known[topic] = n
		}
	}
	var into kgo.IntoSyncAssignment
	if withError, ok := mb.(kgo.GroupMemberBalancerOrError); ok {
		if into, err = withError.BalanceOrError(known); err != nil {
			return nil, err
		}
	} else {
		into = mb.Balance(known)
	}
	if into == nil {
		return nil, errors.New("the balancer returned no plan")
	}
	return into.IntoSyncAssignment(), nil
}

func peakRSSMB() *float64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return nil
	}
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			fields := strings.Fields(line)
			if len(fields) >= 2 {
				if kib, err := strconv.ParseFloat(fields[1], 64); err == nil {
					mb := float64(int64(kib/1024*10+0.5)) / 10
					return &mb
				}
			}
		}
	}
	return nil
}

func millis(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1e3
}

func run() error {
	strategy := flag.String("strategy", "", "range, roundrobin, sticky or cooperative-sticky")
	runs := flag.Int("runs", 10, "timed runs, after one warm-up run")
	budget := flag.Float64("budget", 0, "stop the timed runs once they took this many seconds together (0: no limit)")
	flag.Parse()
	if flag.NArg() != 1 {
		return errors.New("usage: franz-bench --strategy S [--runs N] [--budget SECONDS] FILE")
	}
	if *runs < 1 {
		return fmt.Errorf("--runs must be at least 1, not %d", *runs)
	}
	b, err := balancer(*strategy)
	if err != nil {
		return err
	}
	text, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		return fmt.Errorf("reading %s: %v", flag.Arg(0), err)
	}
	var group scenario
	if err := json.Unmarshal(text, &group); err != nil {
		return fmt.Errorf("%s: %v", flag.Arg(0), err)
	}
	counts := make(map[string]int32, len(group.Topics))
	for name, raw := range group.Topics {
		n, err := partitionCount(name, raw)
		if err != nil {
			return err
		}
		counts[name] = n
	}
	joined := make([]kmsg.JoinGroupResponseMember, 0, len(group.Members))
	for _, m := range group.Members {
		topics := append([]string(nil), m.Topics...)
		sort.Strings(topics)
		owned := make(map[string][]int32, len(m.Owned))
		for topic, partitions := range m.Owned {
			p := append([]int32(nil), partitions...)
			sort.Slice(p, func(i, j int) bool { return p[i] < p[j] })
			owned[topic] = p
		}
		generation := int32(-1)
		if m.Generation != nil {
			generation = *m.Generation
		}
		member := kmsg.NewJoinGroupResponseMember()
		member.MemberID = m.ID
		member.InstanceID = m.InstanceID
		member.ProtocolMetadata = b.JoinGroupMetadata(topics, owned, generation)
		joined = append(joined, member)
	}

	once := func() (time.Duration, error) {
		members := append([]kmsg.JoinGroupResponseMember(nil), joined...)
		started := time.Now()
		answer, err := leader(b, members, counts)
		elapsed := time.Since(started)
		if err != nil {
			return 0, err
		}
		if len(answer) != len(joined) {
			return 0, fmt.Errorf("%d assignments for %d members", len(answer), len(joined))
		}
		return elapsed, nil
	}
	if _, err := once(); err != nil {
		return err
	}
	var times []time.Duration
	var total time.Duration
	for len(times) < *runs {
		elapsed, err := once()
		if err != nil {
			return err
		}
		times = append(times, elapsed)
		total += elapsed
		if *budget > 0 && total.Seconds() >= *budget {
			break
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	mid := len(times) / 2
	median := times[mid]
	if len(times)%2 == 0 {
		median = (times[mid-1] + times[mid]) / 2
	}
	line := struct {
		Strategy  string   `json:"strategy"`
		Runs      int      `json:"runs"`
		MinMS     float64  `json:"min_ms"`
		MedianMS  float64  `json:"median_ms"`
		MaxMS     float64  `json:"max_ms"`
		PeakRSSMB *float64 `json:"peak_rss_mb"`
	}{*strategy, len(times), millis(times[0]), millis(median), millis(times[len(times)-1]), peakRSSMB()}
	out, err := json.Marshal(line)
	if err != nil {
		return err
	}
	fmt.Println(string(out))
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "franz-bench:", err)
		os.Exit(1)
	}
}
