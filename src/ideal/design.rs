//! The observations of a fit, indexed both ways: by roll call (for the roll calls' gradient)
//! and by state (for the states' gradient), with the parameter offsets each observation reads.

use super::error::{IdealError, Result};
use super::history::History;
use super::model::Layout;

/// Roll calls per work chunk of the gradient's first pass. Fixed, so the chunking (and the
/// order of every floating-point sum) does not depend on the number of threads.
pub const ITEM_CHUNK: usize = 16;

/// Observations of one fit (one row per state per roll call in the history, absences included).
#[derive(Debug, Clone)]
pub struct Design {
    /// Parameter layout.
    pub layout: Layout,
    /// Session number of each roll call.
    pub item_session: Vec<i32>,
    /// Per observation: offset of `x_{i,t(j)}` in `θ` (`a_{i,t(j)}` follows the D entries).
    pub obs_x: Vec<u32>,
    /// Per observation: offset of the state's `u_i` in `θ`.
    pub obs_u: Vec<u32>,
    /// Per observation: the vote as an outcome index (0 yes, 1 no, 2 abstain, 3 not voting).
    pub obs_vote: Vec<u8>,
    /// Per observation: its roll call.
    pub obs_item: Vec<u32>,
    /// Observations of roll call `j`: `item_obs[j]..item_obs[j + 1]` (sorted by state).
    pub item_obs: Vec<usize>,
    /// Observation indices grouped by state, chronological within a state.
    pub state_obs: Vec<u32>,
    /// State `i`'s observations: `state_obs[state_obs_off[i]..state_obs_off[i + 1]]`.
    pub state_obs_off: Vec<usize>,
}

impl Design {
    /// The design of `history` with `dims` position dimensions and absence rank `rank`. Each
    /// state gets parameters for every session from its first to its last roll call in the
    /// history (sessions without votes in between are tied by the random walk only).
    pub fn new(history: &History, dims: usize, rank: usize) -> Result<Design> {
        if history.rollcalls.is_empty() {
            return Err(IdealError::Fit("no roll calls in the window".into()));
        }
        let n = history.states.len();
        let mut span: Vec<Option<(i32, i32)>> = vec![None; n];
        for rc in &history.rollcalls {
            let t = rc.date.session();
            for v in &rc.votes {
                let s = &mut span[usize::from(v.state)];
                *s = Some(match *s {
                    None => (t, t),
                    Some((a, b)) => (a.min(t), b.max(t)),
                });
            }
        }
        let state_sessions: Vec<(i32, usize)> = span
            .iter()
            .map(|s| s.map_or((0, 0), |(a, b)| (a, (b - a + 1) as usize)))
            .collect();
        let layout = Layout::new(dims, rank, state_sessions, history.rollcalls.len());
        if layout.len() > u32::MAX as usize {
            return Err(IdealError::Fit("too many parameters".into()));
        }
        let total = history.vote_count();
        let mut d = Design {
            item_session: history.rollcalls.iter().map(|r| r.date.session()).collect(),
            obs_x: Vec::with_capacity(total),
            obs_u: Vec::with_capacity(total),
            obs_vote: Vec::with_capacity(total),
            obs_item: Vec::with_capacity(total),
            item_obs: Vec::with_capacity(history.rollcalls.len() + 1),
            state_obs: Vec::new(),
            state_obs_off: Vec::new(),
            layout,
        };
        d.item_obs.push(0);
        let mut per_state = vec![0usize; n];
        for (j, rc) in history.rollcalls.iter().enumerate() {
            let t = rc.date.session();
            for v in &rc.votes {
                let i = usize::from(v.state);
                let off = d.layout.position_offset(i, t).ok_or_else(|| {
                    IdealError::Fit(format!("internal: no session {t} for state {i}"))
                })?;
                d.obs_x.push(off as u32);
                d.obs_u.push(d.layout.state_offset[i] as u32);
                d.obs_vote.push(v.vote.index() as u8);
                d.obs_item.push(j as u32);
                per_state[i] += 1;
            }
            d.item_obs.push(d.obs_x.len());
        }
        d.state_obs_off = Vec::with_capacity(n + 1);
        d.state_obs_off.push(0);
        for &c in &per_state {
            let last = *d.state_obs_off.last().unwrap_or(&0);
            d.state_obs_off.push(last + c);
        }
        let mut fill = d.state_obs_off.clone();
        d.state_obs = vec![0; total];
        // Observations are numbered chronologically, so each state's list is chronological.
        for (j, rc) in history.rollcalls.iter().enumerate() {
            for (k, v) in rc.votes.iter().enumerate() {
                let i = usize::from(v.state);
                d.state_obs[fill[i]] = (d.item_obs[j] + k) as u32;
                fill[i] += 1;
            }
        }
        Ok(d)
    }

    /// Number of observations (state votes).
    pub fn observations(&self) -> usize {
        self.obs_vote.len()
    }

    /// Roll-call ranges of the gradient's work chunks ([`ITEM_CHUNK`] roll calls each).
    pub fn item_chunks(&self) -> Vec<(usize, usize)> {
        let j = self.layout.items;
        (0..j.div_ceil(ITEM_CHUNK))
            .map(|c| (c * ITEM_CHUNK, ((c + 1) * ITEM_CHUNK).min(j)))
            .collect()
    }
}
