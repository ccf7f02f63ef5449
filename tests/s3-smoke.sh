#!/usr/bin/env bash
# Smoke test of Ugloo's S3 gateway with real S3 clients: the aws cli (s3 cp/sync/ls/rm, s3api versions and
# multipart), s3cmd and rclone. Every object written is compared byte for byte with what 'ugloo get' reads
# from the volume (the tree the mount shows). Run by S3SmokeScriptTests; by hand:
#   S3_ENDPOINT=http://127.0.0.1:9000 AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… UGLOO_DATA=DIR \
#   UGLOO="dotnet src/Ugloo.Mount/bin/Debug/net10.0/ugloo.dll" bash tests/s3-smoke.sh
set -euo pipefail
: "${S3_ENDPOINT:?S3_ENDPOINT (http://HOST:PORT) is required}"
: "${AWS_ACCESS_KEY_ID:?}" "${AWS_SECRET_ACCESS_KEY:?}" "${UGLOO_DATA:?UGLOO_DATA, the data directory of the volume, is required}"
read -r -a ugloo <<< "${UGLOO:-ugloo}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE="$work/aws.cfg" AWS_SHARED_CREDENTIALS_FILE="$work/aws.credentials"
printf '[default]\ns3 =\n  addressing_style = path\n' > "$AWS_CONFIG_FILE"
: > "$AWS_SHARED_CREDENTIALS_FILE"
: > "$work/rclone.conf"
host=${S3_ENDPOINT#http://}

step() { echo "== $*"; }
awss3() { aws --endpoint-url "$S3_ENDPOINT" "$@"; }
# same VOLUME_PATH LOCAL: what the volume holds at VOLUME_PATH is LOCAL's bytes.
same() {
    "${ugloo[@]}" get --data "$UGLOO_DATA" "$1" "$work/check" > /dev/null
    cmp "$work/check" "$2"
    rm -f "$work/check"
}

bucket="smoke-$(date +%s)-$RANDOM"
mkdir -p "$work/src/sub" "$work/down"
head -c 100000 /dev/urandom > "$work/src/a.bin"
head -c 3000 /dev/urandom > "$work/src/sub/b.txt"
head -c 12000000 /dev/urandom > "$work/big.bin"   # above the aws cli's 8 MiB multipart threshold

step "aws s3 mb / cp (multipart) / ls"
awss3 s3 mb "s3://$bucket"
awss3 s3 cp --only-show-errors "$work/big.bin" "s3://$bucket/big.bin"
same "/$bucket/big.bin" "$work/big.bin"
awss3 s3 ls "s3://$bucket/" | grep -q ' big.bin$'
awss3 s3 cp --only-show-errors "s3://$bucket/big.bin" "$work/down/big.bin"
cmp "$work/down/big.bin" "$work/big.bin"

step "aws s3 sync up and down"
awss3 s3 sync --only-show-errors "$work/src" "s3://$bucket/synced"
same "/$bucket/synced/a.bin" "$work/src/a.bin"
same "/$bucket/synced/sub/b.txt" "$work/src/sub/b.txt"
awss3 s3 sync --only-show-errors "s3://$bucket/synced" "$work/down/synced"
diff -r "$work/src" "$work/down/synced"
[[ $(awss3 s3 ls --recursive "s3://$bucket/synced/" | wc -l) -eq 2 ]]

step "aws s3 rm"
awss3 s3 rm --only-show-errors "s3://$bucket/synced/a.bin"
if awss3 s3 ls "s3://$bucket/synced/a.bin" | grep -q a.bin; then echo "a.bin still listed after rm"; exit 1; fi

step "aws s3api versions"
printf 'first' > "$work/v1"
printf 'second' > "$work/v2"
first=$(awss3 s3api put-object --bucket "$bucket" --key versioned.txt --body "$work/v1" --query VersionId --output text)
awss3 s3api put-object --bucket "$bucket" --key versioned.txt --body "$work/v2" > /dev/null
[[ $(awss3 s3api list-object-versions --bucket "$bucket" --prefix versioned.txt --query 'length(Versions)' --output text) -eq 2 ]]
awss3 s3api get-object --bucket "$bucket" --key versioned.txt --version-id "$first" "$work/down/v1" > /dev/null
cmp "$work/down/v1" "$work/v1"
same "/$bucket/versioned.txt" "$work/v2"

step "aws s3api multipart"
split -b 5M "$work/big.bin" "$work/part."
upload=$(awss3 s3api create-multipart-upload --bucket "$bucket" --key mp.bin --query UploadId --output text)
n=0
parts=""
for part in "$work"/part.*; do
    n=$((n + 1))
    etag=$(awss3 s3api upload-part --bucket "$bucket" --key mp.bin --upload-id "$upload" --part-number "$n" --body "$part" --query ETag --output text)
    parts+="${parts:+,}{\"ETag\":$etag,\"PartNumber\":$n}"
done
[[ $(awss3 s3api list-parts --bucket "$bucket" --key mp.bin --upload-id "$upload" --query 'length(Parts)' --output text) -eq $n ]]
echo "{\"Parts\":[$parts]}" > "$work/parts.json"
etag=$(awss3 s3api complete-multipart-upload --bucket "$bucket" --key mp.bin --upload-id "$upload" --multipart-upload "file://$work/parts.json" --query ETag --output text)
[[ $etag == *"-$n\"" ]]
same "/$bucket/mp.bin" "$work/big.bin"
aborted=$(awss3 s3api create-multipart-upload --bucket "$bucket" --key gone.bin --query UploadId --output text)
awss3 s3api abort-multipart-upload --bucket "$bucket" --key gone.bin --upload-id "$aborted"
[[ ! -e "$UGLOO_DATA/s3-uploads/$aborted" ]]

step "s3cmd put / ls / get / del"
cat > "$work/s3cfg" <<CFG
[default]
access_key = $AWS_ACCESS_KEY_ID
secret_key = $AWS_SECRET_ACCESS_KEY
host_base = $host
host_bucket = $host
use_https = False
signature_v2 = False
bucket_location = us-east-1
CFG
s3cmd -q -c "$work/s3cfg" put "$work/src/a.bin" "s3://$bucket/s3cmd/a.bin"
same "/$bucket/s3cmd/a.bin" "$work/src/a.bin"
s3cmd -c "$work/s3cfg" ls "s3://$bucket/s3cmd/" | grep -q 's3cmd/a.bin'
s3cmd -q -c "$work/s3cfg" get "s3://$bucket/s3cmd/a.bin" "$work/down/s3cmd.bin"
cmp "$work/down/s3cmd.bin" "$work/src/a.bin"
s3cmd -q -c "$work/s3cfg" del "s3://$bucket/s3cmd/a.bin"

step "rclone copy / ls / cat"
rc() {
    env -u AWS_CA_BUNDLE RCLONE_CONFIG="$work/rclone.conf" RCLONE_CONFIG_UG_TYPE=s3 RCLONE_CONFIG_UG_PROVIDER=Other RCLONE_CONFIG_UG_ENDPOINT="$S3_ENDPOINT" \
        RCLONE_CONFIG_UG_FORCE_PATH_STYLE=true RCLONE_CONFIG_UG_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" \
        RCLONE_CONFIG_UG_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" RCLONE_CONFIG_UG_REGION=us-east-1 rclone "$@"
}
rc copy "$work/src" "ug:$bucket/rclone"
same "/$bucket/rclone/a.bin" "$work/src/a.bin"
same "/$bucket/rclone/sub/b.txt" "$work/src/sub/b.txt"
rc ls "ug:$bucket/rclone" | grep -q 'sub/b.txt'
rc cat "ug:$bucket/rclone/sub/b.txt" > "$work/down/rclone.txt"
cmp "$work/down/rclone.txt" "$work/src/sub/b.txt"
rc copy "ug:$bucket/synced" "$work/down/rclone-synced"
cmp "$work/down/rclone-synced/sub/b.txt" "$work/src/sub/b.txt"

echo "S3 smoke test passed ($bucket)"
