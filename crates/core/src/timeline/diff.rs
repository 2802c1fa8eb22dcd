//! The diffs that turn one list of rows into another: what the core sends a window that shows a
//! view, instead of the window deciding for itself which change belongs where (in the spirit of
//! matrix-rust-sdk's `VectorDiff`).
//!
//! [`diff`] is pure: from the rows the window has and the rows the view has now, the steps that
//! turn one into the other, each index meant for the list as the steps before it left it. The
//! steps are few for what happens in a timeline (a row added at the top, a row changed in
//! place, a row gone, a conversation moving up); when they would be more than the rows
//! themselves, one [`Diff::Reset`] says it shorter. The steps themselves are part of the contract
//! ([`crate::dto::Diff`]).

use std::collections::HashSet;

use crate::dto::Diff;

/// The steps that turn `old` into `new`; `key` tells which rows are the same item. Rows with
/// the same key and equal contents stay; with other contents they are [`Diff::Set`]; a row whose
/// place changed leaves and comes in again. Keys are unique in each list.
pub(crate) fn diff<T: Clone + PartialEq>(
    old: &[T],
    new: &[T],
    key: impl Fn(&T) -> i64,
) -> Vec<Diff<T>> {
    let wanted: HashSet<i64> = new.iter().map(&key).collect();
    let mut now: Vec<T> = old.to_vec();
    let mut steps = Vec::new();
    // Rows that left the view, from the end so that each index is still right.
    for index in (0..now.len()).rev() {
        if !wanted.contains(&key(&now[index])) {
            now.remove(index);
            steps.push(Diff::Remove { index });
        }
    }
    for (index, item) in new.iter().enumerate() {
        let here = now.get(index).map(&key);
        if here == Some(key(item)) {
            if now[index] != *item {
                now[index] = item.clone();
                steps.push(Diff::Set {
                    index,
                    item: item.clone(),
                });
            }
            continue;
        }
        // Further down (it moved up) or new.
        if let Some(at) = now[index..].iter().position(|r| key(r) == key(item)) {
            now.remove(index + at);
            steps.push(Diff::Remove { index: index + at });
        }
        now.insert(index, item.clone());
        steps.push(Diff::Insert {
            index,
            item: item.clone(),
        });
    }
    while now.len() > new.len() {
        now.pop();
        steps.push(Diff::Remove { index: now.len() });
    }
    if steps.len() > new.len().max(1) {
        return vec![Diff::Reset {
            items: new.to_vec(),
        }];
    }
    steps
}

/// `list` after `steps` (what a window does with them; the tests check [`diff`] with it).
#[cfg(test)]
fn apply<T: Clone>(list: &mut Vec<T>, steps: &[Diff<T>]) -> Result<(), String> {
    for step in steps {
        match step {
            Diff::Reset { items } => *list = items.clone(),
            Diff::Insert { index, item } if *index <= list.len() => {
                list.insert(*index, item.clone())
            }
            Diff::Set { index, item } if *index < list.len() => list[*index] = item.clone(),
            Diff::Remove { index } if *index < list.len() => {
                list.remove(*index);
            }
            other => {
                return Err(format!(
                    "a step past the end of {} rows: {}",
                    list.len(),
                    match other {
                        Diff::Insert { index, .. }
                        | Diff::Set { index, .. }
                        | Diff::Remove { index } => index.to_string(),
                        Diff::Reset { .. } => String::new(),
                    }
                ))
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows as (id, version).
    type Row = (i64, u32);

    fn steps(old: &[Row], new: &[Row]) -> Vec<Diff<Row>> {
        let steps = diff(old, new, |r| r.0);
        let mut list = old.to_vec();
        apply(&mut list, &steps).expect("applies");
        assert_eq!(list, new, "{old:?} -> {new:?} by {steps:?}");
        steps
    }

    #[test]
    fn nothing_changed_is_no_step() {
        assert!(steps(&[(3, 0), (2, 0), (1, 0)], &[(3, 0), (2, 0), (1, 0)]).is_empty());
        assert!(steps(&[], &[]).is_empty());
    }

    #[test]
    fn a_new_row_at_the_top_is_one_insert() {
        assert_eq!(
            steps(&[(2, 0), (1, 0)], &[(3, 0), (2, 0), (1, 0)]),
            [Diff::Insert {
                index: 0,
                item: (3, 0)
            }]
        );
    }

    #[test]
    fn a_changed_row_is_one_set_and_a_gone_one_one_remove() {
        assert_eq!(
            steps(&[(3, 0), (2, 0), (1, 0)], &[(3, 0), (2, 1), (1, 0)]),
            [Diff::Set {
                index: 1,
                item: (2, 1)
            }]
        );
        assert_eq!(
            steps(&[(3, 0), (2, 0), (1, 0)], &[(3, 0), (1, 0)]),
            [Diff::Remove { index: 1 }]
        );
    }

    #[test]
    fn a_conversation_moving_up_leaves_and_comes_in_again() {
        assert_eq!(
            steps(
                &[(5, 0), (4, 0), (3, 0), (2, 0)],
                &[(2, 1), (5, 0), (4, 0), (3, 0)]
            ),
            [
                Diff::Remove { index: 3 },
                Diff::Insert {
                    index: 0,
                    item: (2, 1)
                }
            ]
        );
    }

    #[test]
    fn a_page_more_is_inserts_at_the_end() {
        assert_eq!(
            steps(&[(9, 0), (8, 0)], &[(9, 0), (8, 0), (7, 0), (6, 0)]),
            [
                Diff::Insert {
                    index: 2,
                    item: (7, 0)
                },
                Diff::Insert {
                    index: 3,
                    item: (6, 0)
                }
            ]
        );
    }

    #[test]
    fn more_steps_than_rows_is_one_reset() {
        let old: Vec<Row> = (0..10).map(|i| (i, 0)).collect();
        let new: Vec<Row> = (0..10).rev().map(|i| (i, 0)).collect();
        assert_eq!(steps(&old, &new), [Diff::Reset { items: new }]);
        assert_eq!(
            steps(&[(1, 0)], &[]),
            [Diff::Remove { index: 0 }],
            "an emptied list"
        );
    }

    #[test]
    fn random_lists_always_arrive() {
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..3000 {
            let make = |rng: &mut fastrand::Rng| -> Vec<Row> {
                let mut ids: Vec<i64> = (0..rng.i64(0..12)).map(|_| rng.i64(0..20)).collect();
                ids.sort_unstable();
                ids.dedup();
                rng.shuffle(&mut ids);
                ids.into_iter().map(|id| (id, rng.u32(0..2))).collect()
            };
            let (old, new) = (make(&mut rng), make(&mut rng));
            steps(&old, &new);
        }
    }
}
