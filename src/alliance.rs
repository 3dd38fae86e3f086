//! Alliances (blocs): shared shocks, discipline and leaders.
//!
//! **Correlation.** A state's latent noise has unit variance, split into a global part
//! (share `g` = `[model] global_correlation`), bloc parts and an idiosyncratic part. A state in
//! blocs `B` with cohesions `c_b` gets total bloc share `(1 − g)·max_b c_b`, divided among its
//! blocs in proportion to their cohesions: bloc `b`'s share is `(1 − g)·c_b·max c / Σ c`. The
//! idiosyncratic share is the rest, `(1 − g)(1 − max c) > 0`. Two members of only bloc `b`
//! thus have latent correlation `g + (1 − g)·c_b`; the construction is continuous in every
//! cohesion and never changes any state's marginal probabilities.
//!
//! **Discipline.** A bloc's common position `P_b` is its stated `position` (yes = +1,
//! abstain = 0, no = −1) or else the mean voting score `(p_yes − p_no)/(1 − p_absent)` of its
//! members' base positions. Each member `i` is pulled by `d_b·(P_b − s_i)` latent standard
//! deviations, with `s_i` its own base voting score. Pulls of several blocs add up.
//!
//! **Leaders.** If bloc `b` has a leader `L`, every other member's latent score in a ballot is
//! shifted by `λ_b·(v_L − E[v_L])`, where `v_L` is the leader's realised vote score in that
//! ballot (yes +1, abstain/absent 0, no −1) and `E[v_L] = p_yes − p_no` its expectation under
//! the leader's *base* position. Centring keeps the followers' marginals close to their stated
//! ones when nothing moves the leader: the leader adds co-movement, not bias. Lobbying or
//! disciplining the leader moves its votes away from that centre and carries the followers
//! along.
//! Leadership must be acyclic; states are simulated leaders first.

use crate::scenario::{Bloc, Scenario};

/// The bloc's common position on the no (−1) … yes (+1) axis.
pub fn bloc_position(s: &Scenario, bloc: usize) -> f64 {
    let b = &s.blocs[bloc];
    b.position.unwrap_or_else(|| {
        if b.members.is_empty() {
            0.0
        } else {
            b.members
                .iter()
                .map(|&i| s.states[i].base.voting_score())
                .sum::<f64>()
                / b.members.len() as f64
        }
    })
}

/// Discipline pull of each bloc on each of its members: `(bloc, state, shift)` triples.
pub fn discipline_pulls(s: &Scenario) -> Vec<(usize, usize, f64)> {
    let mut out = Vec::new();
    for (bi, b) in s.blocs.iter().enumerate() {
        if b.discipline == 0.0 {
            continue;
        }
        let p = bloc_position(s, bi);
        for &i in &b.members {
            out.push((bi, i, b.discipline * (p - s.states[i].base.voting_score())));
        }
    }
    out
}

/// Total discipline shift on each state.
pub fn discipline_shifts(s: &Scenario) -> Vec<f64> {
    let mut total = vec![0.0; s.states.len()];
    for (_, i, x) in discipline_pulls(s) {
        total[i] += x;
    }
    total
}

/// How one state's unit-variance latent noise is composed.
#[derive(Debug, Clone, PartialEq)]
pub struct Loadings {
    /// Loading on the global shock, `√g`.
    pub global: f64,
    /// `(bloc index, loading)` for each bloc with positive cohesion the state belongs to.
    pub blocs: Vec<(usize, f64)>,
    /// Standard deviation of the idiosyncratic part; `global² + Σ loading² + idio² = 1`.
    pub idio: f64,
}

/// Loadings of every state (see the module docs for the formula).
pub fn loadings(s: &Scenario) -> Vec<Loadings> {
    let g = s.model.global_correlation;
    let mut member_of: Vec<Vec<usize>> = vec![Vec::new(); s.states.len()];
    for (bi, b) in s.blocs.iter().enumerate() {
        if b.cohesion > 0.0 {
            for &i in &b.members {
                member_of[i].push(bi);
            }
        }
    }
    member_of
        .into_iter()
        .map(|bs| {
            let sum: f64 = bs.iter().map(|&b| s.blocs[b].cohesion).sum();
            let max = bs.iter().map(|&b| s.blocs[b].cohesion).fold(0.0, f64::max);
            let blocs: Vec<(usize, f64)> = bs
                .iter()
                .map(|&b| (b, ((1.0 - g) * s.blocs[b].cohesion * max / sum).sqrt()))
                .collect();
            let shared: f64 = g + blocs.iter().map(|(_, l)| l * l).sum::<f64>();
            Loadings {
                global: g.sqrt(),
                blocs,
                idio: (1.0 - shared).max(0.0).sqrt(),
            }
        })
        .collect()
}

/// Every `(leader, follower, influence)` pair the blocs define, in bloc order, then member
/// order. A follower led by the same leader in two blocs appears twice (the influences add).
/// The one place leader–follower pairs are built.
pub fn leader_pairs(blocs: &[Bloc]) -> impl Iterator<Item = (usize, usize, f64)> + '_ {
    blocs.iter().flat_map(|b| {
        b.leader.into_iter().flat_map(move |l| {
            b.members
                .iter()
                .filter(move |&&m| m != l)
                .map(move |&m| (l, m, b.leader_influence))
        })
    })
}

/// For each state, the `(leader state, influence)` pairs that sway it, in bloc order.
pub fn leaders_of(s: &Scenario) -> Vec<Vec<(usize, f64)>> {
    let mut out = vec![Vec::new(); s.states.len()];
    for (l, m, influence) in leader_pairs(&s.blocs) {
        out[m].push((l, influence));
    }
    out
}

/// Leader → follower adjacency lists of `n` states: the followers of each state, each once, in
/// bloc order.
pub fn followers(blocs: &[Bloc], n: usize) -> Vec<Vec<usize>> {
    let mut followers = vec![Vec::new(); n];
    // (leader, follower) pairs already listed: linear time even for blocs of 10^5 members.
    let mut seen: std::collections::HashSet<(usize, usize)> = std::collections::HashSet::new();
    for (l, m, _) in leader_pairs(blocs) {
        if seen.insert((l, m)) {
            followers[l].push(m);
        }
    }
    followers
}

/// An order in which to simulate states so that every leader comes before its followers:
/// states are taken in scenario order, each preceded by any not-yet-placed leaders it has
/// (depth first). Requires acyclic leadership (checked when the scenario is loaded).
pub fn evaluation_order(s: &Scenario) -> Vec<usize> {
    let n = s.states.len();
    let followers = followers(&s.blocs, n);
    let mut leaders: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (l, fs) in followers.iter().enumerate() {
        for &f in fs {
            leaders[f].push(l);
        }
    }
    let mut placed = vec![false; n];
    let mut order = Vec::with_capacity(n);
    for start in 0..n {
        // Iterative post-order over "leaders of" edges.
        let mut stack = vec![(start, 0usize)];
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            if placed[v] {
                stack.pop();
                continue;
            }
            if let Some(&l) = leaders[v].get(*next) {
                *next += 1;
                if !placed[l] && !stack.iter().any(|&(x, _)| x == l) {
                    stack.push((l, 0));
                }
            } else {
                placed[v] = true;
                order.push(v);
                stack.pop();
            }
        }
    }
    order
}
