//! zoo.cfg + `myid` → the ensemble member's `NodeConfig` (pure: the edge reads the file and
//! resolves the quorum addresses).

use super::myid::check_member;
use super::{LearnerType, ServerConfig};
use crate::ensemble::NodeConfig;
use crate::pipeline::CoreConfig;
use crate::replication;

/// `my_id` comes from `<dataDir>/myid` (`myid::parse_myid`); `core` is built as for standalone.
pub fn node_config(cfg: &ServerConfig, my_id: i64, mut core: CoreConfig) -> Result<NodeConfig, String> {
    check_member(my_id, &cfg.servers)?;
    // Session ids carry the server id in their top byte, as ZooKeeper's do.
    core.server_id = u8::try_from(my_id).map_err(|_| format!("myid {my_id}: zkd needs a server id from 0 to 255 (it is a session id's top byte)"))?;
    // QuorumPeerConfig refuses a quorum without these.
    if cfg.init_limit <= 0 {
        return Err("initLimit is not set".into());
    }
    if cfg.sync_limit <= 0 {
        return Err("syncLimit is not set".into());
    }
    let ids = |t: LearnerType| cfg.servers.iter().filter(|s| s.learner_type == t).map(|s| s.id as u64).collect::<Vec<_>>();
    let mut replication = replication::Config::new(my_id as u64, ids(LearnerType::Participant), ids(LearnerType::Observer));
    replication.init_limit = cfg.init_limit as u64;
    replication.sync_limit = cfg.sync_limit as u64;
    Ok(NodeConfig { replication, core })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(text: &str) -> ServerConfig {
        super::super::parse_zoo_cfg("zoo.cfg", text, "", 2).unwrap().0
    }

    #[test]
    fn builds_the_member_config() {
        let c = cfg("dataDir=/d\nclientPort=1\ninitLimit=7\nsyncLimit=3\nserver.1=a:1:2\nserver.2=b:1:2\nserver.5=c:1:2:observer\n");
        let n = node_config(&c, 2, CoreConfig::default()).unwrap();
        assert_eq!(n.replication.me, 2);
        assert_eq!(n.replication.participants, vec![1, 2]);
        assert_eq!(n.replication.observers, vec![5]);
        assert_eq!((n.replication.init_limit, n.replication.sync_limit), (7, 3));
        assert_eq!(n.core.server_id, 2);
    }

    #[test]
    fn refusals() {
        let c = cfg("dataDir=/d\nclientPort=1\ninitLimit=7\nsyncLimit=3\nserver.1=a:1:2\nserver.2=b:1:2\n");
        assert_eq!(node_config(&c, 3, CoreConfig::default()).unwrap_err(), "My id 3 not in the peer list");
        let c = cfg("dataDir=/d\nclientPort=1\nsyncLimit=3\nserver.1=a:1:2\nserver.2=b:1:2\n");
        assert_eq!(node_config(&c, 1, CoreConfig::default()).unwrap_err(), "initLimit is not set");
        let c = cfg("dataDir=/d\nclientPort=1\ninitLimit=3\nserver.1=a:1:2\nserver.2=b:1:2\n");
        assert_eq!(node_config(&c, 1, CoreConfig::default()).unwrap_err(), "syncLimit is not set");
        let c = cfg("dataDir=/d\nclientPort=1\ninitLimit=7\nsyncLimit=3\nserver.1=a:1:2\nserver.300=b:1:2\n");
        assert!(node_config(&c, 300, CoreConfig::default()).unwrap_err().contains("0 to 255"));
    }
}
