#!/usr/bin/env python3
"""Cross-check `sysplay queue` (M/M/c, FIFO) against Ciw, an independent discrete-event library.

Same configurations as tests/queue_theory.rs. For each: Erlang C theory, Ciw's measured mean wait and
sojourn (first 10% of customers by arrival left out, as sysplay does), and sysplay's, when the path of
a built `sysplay` binary is given.

    pip install ciw
    python3 tools/crosscheck_ciw.py --sysplay target/release/sysplay > tools/crosscheck_ciw.out
"""
import argparse
import json
import subprocess

import ciw

CONFIGS = [  # (servers, lambda, mu)
    (1, 0.5, 1.0),
    (1, 8.5, 10.0),
    (4, 3.0, 1.0),
    (4, 2.0, 1.0),
    (2, 1.0, 0.75),
]
ORDERS = 200_000
SEED = 15


def erlang_c(c, a):
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    rho = a / c
    return b / (1 - rho * (1 - b))


def theory(c, lam, mu):
    wq = erlang_c(c, lam / mu) / (c * mu - lam)
    return wq, wq + 1 / mu


def run_ciw(c, lam, mu, orders, seed):
    ciw.seed(seed)
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=lam)],
        service_distributions=[ciw.dists.Exponential(rate=mu)],
        number_of_servers=[c],
    )
    sim = ciw.Simulation(network)
    sim.simulate_until_max_customers(orders, method="Finish")
    records = sorted(sim.get_all_records(), key=lambda r: r.arrival_date)
    kept = records[len(records) // 10 :]
    wait = sum(r.waiting_time for r in kept) / len(kept)
    sojourn = sum(r.exit_date - r.arrival_date for r in kept) / len(kept)
    return wait, sojourn


def run_sysplay(binary, c, lam, mu, orders, seed):
    out = subprocess.run(
        [binary, "queue", "--servers", str(c), "--arrival-rate", str(lam), "--service-rate", str(mu),
         "--orders", str(orders), "--seed", str(seed)],
        check=True, capture_output=True, text=True,
    ).stdout
    v = json.loads(out)
    return v["mean_wait_s"], v["mean_sojourn_s"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sysplay", help="path of a built sysplay binary")
    ap.add_argument("--orders", type=int, default=ORDERS)
    args = ap.parse_args()
    print(f"M/M/c FIFO, {args.orders} customers per run, first 10% left out; ciw {ciw.__version__}")
    print(f"{'c':>2} {'lambda':>6} {'mu':>5} | {'theory Wq':>9} {'ciw Wq':>9} {'sysplay':>9} | "
          f"{'theory W':>9} {'ciw W':>9} {'sysplay':>9} | {'ciw dW%':>7} {'sys dW%':>7}")
    for c, lam, mu in CONFIGS:
        twq, tw = theory(c, lam, mu)
        cwq, cw = run_ciw(c, lam, mu, args.orders, SEED)
        swq, sw = run_sysplay(args.sysplay, c, lam, mu, args.orders, SEED) if args.sysplay else (float("nan"),) * 2
        print(f"{c:>2} {lam:>6} {mu:>5} | {twq:9.4f} {cwq:9.4f} {swq:9.4f} | {tw:9.4f} {cw:9.4f} {sw:9.4f} | "
              f"{100 * (cw - tw) / tw:+7.2f} {100 * (sw - tw) / tw:+7.2f}")


if __name__ == "__main__":
    main()
