# SPDX-License-Identifier: Apache-2.0
# The Kubernetes path: the CRI calls kubelet makes for a pod whose
# RuntimeClass has handler "cinch", made with tests/e2e/cri/cri-client.js
# against containerd's CRI plugin. The handler runs the runtime under test
# through the runc v2 shim (BinaryName) with its state under Root.
# Host quirks (CONTRACT.md): pods are hostNetwork (NODE) because there is no
# CNI network here, and therefore set no hostname.
# Sourced by test_engines.sh after e2e_up.

# The state the runtime under test keeps for a CRI container or sandbox.
cri_rt() { "$E2E_RUNTIME" --root "$CRI_RUNTIME_ROOT" state "$1" 2>/dev/null | jq -r ".$2"; }

cri_state() { cri ContainerStatus "{\"container_id\":\"$1\"}" 2>/dev/null | jq -r .status.state; }

# cri_container NAME COMMAND-JSON [SECURITY-CONTEXT-JSON]: a ContainerConfig.
cri_container() {
	local sc=${3:-'{}'}
	jq -n --arg n "$1" --argjson cmd "$2" --argjson sc "$sc" '{
		metadata: {name: $n, attempt: 0},
		image: {image: "docker.io/e2e/busybox:latest"},
		command: $cmd,
		log_path: ($n + ".log"),
		linux: {
			resources: {memory_limit_in_bytes: 67108864},
			security_context: ({namespace_options: {network: "NODE", pid: "CONTAINER", ipc: "POD"}} + $sc)
		}
	}'
}

# cri_create NAME COMMAND-JSON [SC-JSON]: CreateContainer in the pod; prints the id.
cri_create() {
	cri CreateContainer "$(jq -n --arg p "$CRI_POD" --argjson c "$(cri_container "$@")" \
		--argjson s "$CRI_SANDBOX" '{pod_sandbox_id: $p, config: $c, sandbox_config: $s}')" |
		jq -r .container_id
}

cri_exec() { # ID CMD-JSON: prints the ExecSync reply
	cri ExecSync "$(jq -n --arg id "$1" --argjson cmd "$2" '{container_id: $id, cmd: $cmd, timeout: 30}')"
}

cri_tests() {
	local uid out cid pid cg id2 i

	out=$(cri Version '{"version":"v1"}' 2>&1)
	check_eq "CRI Version: containerd, API v1" "containerd v1" \
		"$(jq -r '.runtime_name + " " + .runtime_api_version' <<<"$out" 2>&1)"
	out=$(cri ListImages '{}' 2>&1)
	check_match "CRI ListImages: the local busybox and pause images" \
		'docker.io/e2e/busybox:latest.*registry.k8s.io/pause:3.6|registry.k8s.io/pause:3.6.*docker.io/e2e/busybox:latest' \
		"$(jq -r '[.images[].repo_tags[]] | join(" ")' <<<"$out" 2>&1)"

	# --- the pod sandbox, run by the "cinch" handler
	uid=$(cat /proc/sys/kernel/random/uuid)
	mkdir -p "$W/pods/$uid"
	# kubelet's cgroup_parent for a BestEffort pod, per cgroup driver.
	local parent=/kubepods/besteffort/pod$uid
	[ "$E2E_CGROUP_DRIVER" = systemd ] && parent=kubepods-besteffort-pod${uid//-/_}.slice
	CRI_SANDBOX=$(jq -n --arg uid "$uid" --arg logdir "$W/pods/$uid" --arg parent "$parent" '{
		metadata: {name: "e2e-pod", uid: $uid, namespace: "default", attempt: 0},
		log_directory: $logdir,
		linux: {
			cgroup_parent: $parent,
			security_context: {namespace_options: {network: "NODE", pid: "CONTAINER", ipc: "POD"}}
		}
	}')
	CRI_POD=$(cri RunPodSandbox "$(jq -n --argjson c "$CRI_SANDBOX" '{config: $c, runtime_handler: "cinch"}')" \
		2>"$E2E_LAST" | jq -r .pod_sandbox_id)
	if [ -z "$CRI_POD" ] || [ "$CRI_POD" = null ]; then
		not_ok "CRI RunPodSandbox (runtime_handler cinch)"
		sed 's/^/#   /' "$E2E_LAST"
		return
	fi
	ok "CRI RunPodSandbox (runtime_handler cinch)"
	check_eq "the runtime under test runs the sandbox (state under the handler's Root)" running "$(cri_rt "$CRI_POD" status)"

	# --- an app container: create, start, exec, update, stop, remove
	cid=$(cri_create app '["/bin/sh","-c","echo cri-log-ok; exec sleep 1000"]' 2>"$E2E_LAST")
	if [ -z "$cid" ] || [ "$cid" = null ]; then
		not_ok "CRI CreateContainer"
		sed 's/^/#   /' "$E2E_LAST"
	else
		ok "CRI CreateContainer"
		check_eq "CRI CreateContainer: state CONTAINER_CREATED" CONTAINER_CREATED "$(cri_state "$cid")"
		check "CRI StartContainer" cri StartContainer "{\"container_id\":\"$cid\"}"
		check_eq "CRI ContainerStatus: CONTAINER_RUNNING" CONTAINER_RUNNING "$(cri_state "$cid")"
		check_eq "the runtime under test runs the container" running "$(cri_rt "$cid" status)"
		for ((i = 0; i < 25; i++)); do
			grep -q 'stdout F cri-log-ok' "$W/pods/$uid/app.log" 2>/dev/null && break
			sleep 0.2
		done
		check_match "container stdout reaches the CRI log file" 'stdout F cri-log-ok' \
			"$(cat "$W/pods/$uid/app.log" 2>&1)"
		out=$(cri_exec "$cid" '["/bin/sh","-c","echo exec-ok; echo to-stderr >&2"]' 2>&1)
		check_eq "CRI ExecSync: stdout, stderr, exit code" "exec-ok|to-stderr|0" \
			"$(jq -r '"\(.stdout|rtrimstr("\n"))|\(.stderr|rtrimstr("\n"))|\(.exit_code)"' <<<"$out" 2>&1)"
		out=$(cri_exec "$cid" '["/bin/sh","-c","exit 3"]' 2>&1)
		check_eq "CRI ExecSync: exit code 3" 3 "$(jq -r .exit_code <<<"$out" 2>&1)"

		pid=$(cri_rt "$cid" pid)
		check "CRI UpdateContainerResources (memory 128Mi, cpu quota 20000/100000)" \
			cri UpdateContainerResources "{\"container_id\":\"$cid\",\"linux\":{\"memory_limit_in_bytes\":134217728,\"cpu_period\":100000,\"cpu_quota\":20000}}"
		check_eq "CRI update: the cgroup's memory limit" 134217728 "$(e2e_cg "$pid" memory 2>&1)"
		check_eq "CRI update: the cgroup's cpu quota" 20000 "$(e2e_cg "$pid" cpu_quota 2>&1)"
		if [ "$E2E_CGROUP_DRIVER" = systemd ]; then cg="/kubepods.slice/kubepods-besteffort.slice/$parent/cri-containerd-$cid.scope"; else cg=$parent/$cid; fi
		check_eq "the container's cgroup is the one containerd asked for, under the pod's ($E2E_CGROUP_DRIVER driver)" \
			"$cg" "$(e2e_cg "$pid" path 2>&1)"

		cri_hardening "$cid" "$pid"

		check "CRI StopContainer (timeout 2)" cri StopContainer "{\"container_id\":\"$cid\",\"timeout\":2}"
		check_eq "CRI ContainerStatus: CONTAINER_EXITED" CONTAINER_EXITED "$(cri_state "$cid")"
		check "CRI RemoveContainer" cri RemoveContainer "{\"container_id\":\"$cid\"}"
		check_fails "CRI ContainerStatus after remove: NOT_FOUND" 'NOT_FOUND' \
			cri ContainerStatus "{\"container_id\":\"$cid\"}"
		check_eq "CRI RemoveContainer: the runtime's state is deleted" "" "$(cri_rt "$cid" status)"
	fi

	# --- what kubelet (and `kubectl describe pod`) sees when create fails
	id2=$(cri_create missing '["/nonexistent"]' 2>/dev/null)
	check_fails "CRI StartContainer of a missing binary: the runtime's error in the reply" \
		'OCI runtime create failed: .*no such file or directory' cri StartContainer "{\"container_id\":\"$id2\"}"
	diag "$(head -1 "$E2E_LAST")"
	cri RemoveContainer "{\"container_id\":\"$id2\"}" >/dev/null 2>&1

	if cinch_only "CRI: a container the policy refuses (add_capabilities SYS_ADMIN) fails StartContainer with cinch's reason"; then
		id2=$(cri_create refused '["/bin/true"]' '{"capabilities":{"add_capabilities":["SYS_ADMIN"]}}' 2>/dev/null)
		check_fails "CRI: a container the policy refuses (add_capabilities SYS_ADMIN) fails StartContainer with cinch's reason" \
			'OCI runtime create failed: cinch: policy restricted refused: capabilities: CAP_SYS_ADMIN is not allowed' cri StartContainer "{\"container_id\":\"$id2\"}"
		diag "CRI refusal: $(head -1 "$E2E_LAST")"
		cri RemoveContainer "{\"container_id\":\"$id2\"}" >/dev/null 2>&1
	fi

	check "CRI StopPodSandbox" cri StopPodSandbox "{\"pod_sandbox_id\":\"$CRI_POD\"}"
	check "CRI RemovePodSandbox" cri RemovePodSandbox "{\"pod_sandbox_id\":\"$CRI_POD\"}"
	check_eq "CRI RemovePodSandbox: the runtime's sandbox state is deleted" "" "$(cri_rt "$CRI_POD" status)"
}

# The default policy seen from inside a CRI container (cinch only): kubelet
# sends no seccomp profile and no_new_privs=false unless the pod asks, so
# these are cinch's rewrites, not containerd's defaults.
cri_hardening() {
	local cid=$1 pid=$2 st uid d
	local checks=("NoNewPrivs 1 and Seccomp 2 in the container (ExecSync)"
		"the container process has a non-root uid on the host"
		"the root filesystem is read-only (touch / fails)")
	if [ "$E2E_IS_CINCH" != 1 ]; then
		for d in "${checks[@]}"; do skip "CRI: $d" "cinch-only (E2E_RUNTIME=$E2E_RUNTIME is not cinch)"; done
		return 0
	fi
	st=$(cri_exec "$cid" '["cat","/proc/self/status"]' 2>&1 | jq -r .stdout)
	check_eq "CRI: ${checks[0]}" "1 2" \
		"$(awk '$1 == "NoNewPrivs:" {n = $2} $1 == "Seccomp:" {s = $2} END {print n, s}' <<<"$st")"
	uid=$(ps -o uid= -p "${pid:-0}" 2>/dev/null | tr -d ' ')
	if [ -n "$uid" ] && [ "$uid" != 0 ]; then ok "CRI: ${checks[1]}"; else
		not_ok "CRI: ${checks[1]}"
		diag "pid ${pid:-?} uid ${uid:-?}"
	fi
	check_eq "CRI: ${checks[2]}" "nonzero" \
		"$(cri_exec "$cid" '["touch","/cinch-e2e-probe"]' 2>&1 | jq -r 'if .exit_code != 0 then "nonzero" else "zero" end')"
}

cri_tests
