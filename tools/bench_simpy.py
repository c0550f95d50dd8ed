#!/usr/bin/env python3
"""Baseline for benches/kernel.rs: the same M/M/c model in SimPy, timed in events per second.

An "event" is counted as in sysplay's kernel: one arrival and one departure per customer. Run:

    pip install simpy
    python3 tools/bench_simpy.py
"""
import random
import time

import simpy

CUSTOMERS = 200_000


def mmc(env, servers, lam, mu, rng, done):
    def customer():
        with servers.request() as req:
            yield req
            yield env.timeout(rng.expovariate(mu))
        done[0] += 1

    for _ in range(CUSTOMERS):
        yield env.timeout(rng.expovariate(lam))
        env.process(customer())


def run(c, rho):
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=c)
    done = [0]
    env.process(mmc(env, servers, rho * c, 1.0, random.Random(7), done))
    start = time.perf_counter()
    env.run()
    elapsed = time.perf_counter() - start
    assert done[0] == CUSTOMERS
    return 2 * CUSTOMERS / elapsed


if __name__ == "__main__":
    print(f"SimPy {simpy.__version__}, M/M/c, {CUSTOMERS} customers, events = 2 per customer")
    for c in (1, 4):
        best = max(run(c, 0.8) for _ in range(3))
        print(f"mmc_c{c}_rho0.8: {best / 1e6:.3f} M events/s (best of 3)")
