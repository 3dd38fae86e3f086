//! The prior for a new vote, the validation protocol's pieces, cohesion and positions, on
//! simulated histories (small, so the whole file runs in well under a second).

use std::path::Path;

use lobbysim::ideal::cohesion::{Bloc, cohesion, read_blocs};
use lobbysim::ideal::positions::{position_rows, scatter, scatter_svg};
use lobbysim::ideal::predict::{
    Basis, Member, PoolOptions, age_weights, model_probs, pool, prior, read_members, record_probs,
};
use lobbysim::ideal::synthetic::{Spec, code, simulate};
use lobbysim::ideal::validate::{Protocol, naive, targets};
use lobbysim::ideal::{Date, FitOptions, IdealError, IdealModel, fit};
use lobbysim::vote::Outcome;

fn model() -> IdealModel {
    let (h, _) = simulate(
        &Spec {
            states: 30,
            sessions: 3,
            rollcalls_per_session: 20,
            ..Spec::default()
        },
        17,
    )
    .expect("simulate");
    fit(
        &h,
        &FitOptions {
            dims: 2,
            absence_rank: 1,
            ..FitOptions::default()
        },
    )
    .expect("fit")
}

fn date(s: &str) -> Date {
    s.parse().expect("date")
}

fn member(i: usize, region: Option<&str>, voting: bool) -> Member {
    let iso3 = code(i).expect("code");
    Member {
        iso3,
        name: format!("State {iso3}"),
        region: region.map(String::from),
        voting,
    }
}

#[test]
fn prior_gives_every_state_four_positive_probabilities_summing_to_one() {
    let m = model();
    // Like roll calls: item 3 of the last two sessions (2016 and 2017).
    let like = vec!["SIM/2/3".to_string(), "SIM/1/3".to_string()];
    let p = prior(&m, &like, date("2018-11-01"), None, &PoolOptions::default()).expect("prior");
    assert_eq!(p.rows.len(), 30);
    assert_eq!(p.session, 73);
    assert_eq!(p.like[0].symbol, "SIM/2/3", "most recent first");
    assert!((p.like.iter().map(|l| l.weight).sum::<f64>() - 1.0).abs() < 1e-12);
    for r in &p.rows {
        let a = r.probs.to_array();
        assert!(a.iter().all(|&x| x > 0.0), "{r:?}");
        assert!((a.iter().sum::<f64>() - 1.0).abs() < 1e-12, "{r:?}");
        assert!(r.probs.check().is_empty());
        assert_eq!(r.basis, Basis::Model);
    }
    let e = p.expected_counts();
    assert!((e.iter().sum::<f64>() - 30.0).abs() < 1e-9);
}

#[test]
fn unknown_repeated_or_later_like_roll_calls_are_errors_naming_them() {
    let m = model();
    let d = date("2018-11-01");
    let pool_options = PoolOptions::default();
    match prior(&m, &["A/RES/ES-11/1".to_string()], d, None, &pool_options) {
        Err(IdealError::UnknownRollCall { name, .. }) => assert_eq!(name, "A/RES/ES-11/1"),
        other => panic!("{other:?}"),
    }
    // Record numbers work; an unknown one is named.
    assert!(prior(&m, &["1000003".to_string()], d, None, &pool_options).is_ok());
    match prior(&m, &["42".to_string()], d, None, &pool_options) {
        Err(IdealError::UnknownRollCall { name, .. }) => assert_eq!(name, "42"),
        other => panic!("{other:?}"),
    }
    let twice = vec!["SIM/1/3".to_string(), "SIM/1/3".to_string()];
    assert!(matches!(
        prior(&m, &twice, d, None, &pool_options),
        Err(IdealError::Options { .. })
    ));
    // A like roll call on or after the new vote's date is refused.
    assert!(matches!(
        prior(
            &m,
            &["SIM/2/3".to_string()],
            date("2017-10-04"),
            None,
            &pool_options
        ),
        Err(IdealError::Options { .. })
    ));
    assert!(matches!(
        prior(&m, &[], d, None, &pool_options),
        Err(IdealError::Options { .. })
    ));
}

#[test]
fn non_voting_unknown_and_fallback_states_are_handled_as_documented() {
    let m = model();
    let members = vec![
        member(0, Some("East"), true),
        member(1, Some("North"), false),
        member(2, Some("West"), true),
        // Not in the model: its region has fitted members, or not.
        member(500, Some("East"), true),
        member(501, Some("Nowhere"), true),
    ];
    let like = vec!["SIM/2/5".to_string()];
    let p = prior(
        &m,
        &like,
        date("2018-11-01"),
        Some(&members),
        &PoolOptions::default(),
    )
    .expect("prior");
    assert_eq!(p.rows[1].basis, Basis::NotVoting);
    assert_eq!(p.rows[1].probs.to_array(), [0.0, 0.0, 0.0, 1.0]);
    assert_eq!(p.rows[3].basis, Basis::Region);
    assert_eq!(p.rows[4].basis, Basis::Assembly);
    // The region fallback's model part is the mean of the region's fitted voting members.
    let east = p.rows[0].model;
    for (a, b) in p.rows[3].model.iter().zip(&east) {
        assert!((a - b).abs() < 1e-15);
    }
    // With no record (not a member then) the fallback is pooled with a uniform record.
    assert!(p.rows[3].probs.to_array().iter().all(|&x| x > 0.0));
}

#[test]
fn pooling_with_model_only_weights_returns_the_model() {
    let model_p = [0.6, 0.1, 0.2, 0.1];
    let p = pool(model_p, [0.25; 4], &PoolOptions::default().model_only());
    for k in 0..4 {
        assert!((p[k] - model_p[k]).abs() < 1e-12, "{p:?}");
    }
    // Record weight only: the smoothed record.
    let rec = record_probs(
        &[Some(Outcome::No), Some(Outcome::No)],
        &[1.0, 2.0],
        &PoolOptions::default(),
    );
    let only = PoolOptions {
        vote_model_weight: 0.0,
        absence_model_weight: 0.0,
        vote_record_weight: 1.0,
        absence_record_weight: 1.0,
        ..PoolOptions::default()
    };
    let q = pool(model_p, rec, &only);
    for k in 0..4 {
        assert!((q[k] - rec[k]).abs() < 1e-12, "{q:?} {rec:?}");
    }
    // Age weights: one year older is `decay` times the weight.
    let w = age_weights(&[0.5, 1.5], 0.25);
    assert!((w[1] / w[0] - 0.25).abs() < 1e-12);
}

#[test]
fn model_probabilities_widen_with_the_horizon() {
    let m = model();
    let j = m.find_rollcall("SIM/2/0").expect("item");
    let i = (0..m.states.len())
        .max_by(|&a, &b| {
            let pa = model_probs(&m, a, j, 72)[0];
            let pb = model_probs(&m, b, j, 72)[0];
            pa.total_cmp(&pb)
        })
        .expect("states");
    let near = model_probs(&m, i, j, 72);
    let far = model_probs(&m, i, j, 80);
    assert!(
        far[0] < near[0],
        "extrapolation must be less certain: {near:?} {far:?}"
    );
    assert!((far.iter().sum::<f64>() - 1.0).abs() < 1e-12);
}

#[test]
fn naive_rules_and_targets_follow_the_protocol() {
    // Repeat: 1.05/1.2 for the recorded vote, 0.05/1.2 for the others.
    let p = naive(&[Some(Outcome::Yes)], 0.05);
    assert!((p[0] - 1.05 / 1.2).abs() < 1e-15 && (p[3] - 0.05 / 1.2).abs() < 1e-15);
    // Not a member then: uniform.
    assert_eq!(naive(&[None], 0.05), [0.25; 4]);
    let p = naive(
        &[
            Some(Outcome::Yes),
            Some(Outcome::Absent),
            Some(Outcome::Yes),
        ],
        0.05,
    );
    assert!((p[0] - 2.05 / 3.2).abs() < 1e-15);
    // Simulated titles repeat every session: every roll call of session 72 is a target with
    // the same item of sessions 71 and 70 as like votes, most recent first.
    let (h, _) = simulate(&Spec::default(), 1).expect("simulate");
    let t = targets(&h, 72, &Protocol::default());
    assert_eq!(t.len(), 40);
    let first = &t[0];
    assert_eq!(h.rollcalls[first.like[0]].symbol, "SIM/1/0");
    assert_eq!(h.rollcalls[first.like[1]].symbol, "SIM/0/0");
    // A like window of one session keeps only the previous session.
    let one = Protocol {
        like_sessions: 1,
        ..Protocol::default()
    };
    assert_eq!(targets(&h, 72, &one)[0].like.len(), 1);
}

#[test]
fn cohesion_recovers_a_simulated_shared_shock_and_finds_none_elsewhere() {
    // Tolerance: the estimate must lie within 3 standard errors (its own) of the true ρ = 0.5
    // for the bloc, and a group of as many states outside it must get ρ < 0.15.
    let spec = Spec {
        states: 40,
        sessions: 2,
        rollcalls_per_session: 60,
        bloc: Some((12, 0.5)),
        ..Spec::default()
    };
    let (h, _) = simulate(&spec, 31).expect("simulate");
    let m = fit(
        &h,
        &FitOptions {
            dims: 2,
            absence_rank: 1,
            ..FitOptions::default()
        },
    )
    .expect("fit");
    let bloc = Bloc {
        name: "bloc".into(),
        members: (0..12).map(|i| code(i).expect("code")).collect(),
    };
    let others = Bloc {
        name: "others".into(),
        members: (20..32).map(|i| code(i).expect("code")).collect(),
    };
    let r = cohesion(&m, &[bloc, others], None).expect("cohesion");
    assert_eq!(r.rollcalls, 120);
    let (b, o) = (&r.blocs[0], &r.blocs[1]);
    let rho = b.residual_correlation.expect("rho");
    let se = b.residual_correlation_se.expect("se");
    assert!((rho - 0.5).abs() <= 3.0 * se, "bloc: {rho} ± {se}");
    assert!(b.excess.expect("excess") > 0.0);
    assert!(o.residual_correlation.expect("rho") < 0.15, "{o:?}");
    for x in &r.blocs {
        assert!((0.0..=1.0).contains(&x.observed.expect("observed")));
        assert!(x.scenario_cohesion(0.2).expect("c") >= x.residual_correlation.expect("rho"));
    }
    eprintln!(
        "bloc ρ = {rho:.3} ± {se:.3}; others ρ = {:?}",
        o.residual_correlation
    );
    // A bloc of one state has no pairs.
    let single = Bloc {
        name: "one".into(),
        members: vec![code(0).expect("code")],
    };
    let r = cohesion(&m, &[single], None).expect("cohesion");
    assert_eq!(r.blocs[0].pair_votes, 0);
    assert!(r.blocs[0].residual_correlation.is_none());
}

#[test]
fn positions_are_listed_tidily_and_drawn() {
    let m = model();
    let rows = position_rows(&m);
    assert_eq!(rows.len(), 30 * 3 * 2);
    assert_eq!((rows[0].session, rows[0].year, rows[0].dim), (70, 2015, 1));
    let pts = scatter(&m, 72, [1, 2]).expect("scatter");
    assert_eq!(pts.len(), 30);
    assert!(scatter(&m, 72, [1, 3]).is_err());
    assert!(scatter(&m, 60, [1, 2]).is_err());
    let svg = scatter_svg(&pts, "Positions, session 72", [1, 2]).expect("svg");
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert_eq!(svg.matches("<circle").count(), 30);
    assert!(pts.iter().all(|p| svg.contains(p.iso3.as_str())));
}

#[test]
fn members_and_blocs_files_are_read_with_errors_naming_file_and_line() {
    let members = read_members(Path::new("data/members.csv")).expect("members");
    assert_eq!(members.len(), 193);
    assert!(members.iter().all(|m| m.voting && m.region.is_some()));
    let blocs = read_blocs(Path::new("data/blocs.csv")).expect("blocs");
    assert_eq!(blocs[0].name, "EU");
    assert_eq!(blocs[0].members.len(), 27);

    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("members.csv");
    std::fs::write(
        &bad,
        "iso3,name,un_region,voting\nFRA,France,WEOG,true\nVEN,Venezuela,GRULAC,no\n",
    )
    .expect("write");
    match read_members(&bad) {
        Err(IdealError::Input { at, .. }) => {
            assert_eq!((at.line, at.field.as_str()), (Some(3), "voting"));
        }
        other => panic!("{other:?}"),
    }
    let bad = dir.path().join("blocs.csv");
    std::fs::write(&bad, "bloc,iso3\nEU,FRA\nEU,fra\n").expect("write");
    match read_blocs(&bad) {
        Err(IdealError::Input { at, .. }) => {
            assert_eq!((at.line, at.field.as_str()), (Some(3), "iso3"));
        }
        other => panic!("{other:?}"),
    }
    std::fs::write(&bad, "bloc,iso3\nEU,FRA\nEU,FRA\n").expect("write");
    assert!(read_blocs(&bad).is_err());
}

#[test]
fn the_protocol_scores_exactly_what_prior_forecasts() {
    use lobbysim::ideal::score::brier;
    use lobbysim::ideal::validate::evaluate_period;
    let (h, _) = simulate(
        &Spec {
            states: 25,
            sessions: 3,
            rollcalls_per_session: 12,
            ..Spec::default()
        },
        23,
    )
    .expect("simulate");
    let o = FitOptions {
        dims: 2,
        absence_rank: 1,
        ..FitOptions::default()
    };
    let pool_options = PoolOptions::default();
    let (report, model) =
        evaluate_period(&h, 72, &Protocol::default(), &o, Some(pool_options)).expect("protocol");
    assert_eq!(report.targets.len(), 12);
    assert!(!report.pool_tuned_here);
    for t in &report.targets {
        let k = h.find(&t.symbol).expect("target");
        let rc = &h.rollcalls[k];
        let members: Vec<Member> = rc
            .votes
            .iter()
            .map(|v| Member {
                iso3: h.states[usize::from(v.state)],
                name: String::new(),
                region: None,
                voting: true,
            })
            .collect();
        let p = prior(&model, &t.like, rc.date, Some(&members), &pool_options).expect("prior");
        let b: f64 = p
            .rows
            .iter()
            .zip(&rc.votes)
            .map(|(r, v)| brier(&r.probs.to_array(), v.vote))
            .sum::<f64>()
            / rc.votes.len() as f64;
        assert!(
            (b - t.brier[0]).abs() < 1e-12,
            "{}: {b} vs {}",
            t.symbol,
            t.brier[0]
        );
    }
    // The pooled forecaster beats both naive rules on this simulated session.
    let f = &report.forecasters;
    assert!(
        f[0].pooled.log_loss < f[2].pooled.log_loss && f[0].pooled.log_loss < f[3].pooled.log_loss
    );
}
