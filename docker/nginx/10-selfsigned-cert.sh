#!/bin/sh
# Run by the nginx image's entrypoint before nginx starts. Creates a self-signed certificate for
# ${TRACKII_HOSTNAME:-localhost} in /etc/nginx/certs unless one is already there, so that a real
# certificate (trackii.crt with the full chain, trackii.key) can be mounted instead.
set -eu

cert_dir=/etc/nginx/certs
crt="$cert_dir/trackii.crt"
key="$cert_dir/trackii.key"
host="${TRACKII_HOSTNAME:-localhost}"

if [ -s "$crt" ] && [ -s "$key" ]; then
    echo "$0: using the existing certificate $crt"
    exit 0
fi
if [ -e "$crt" ] || [ -e "$key" ]; then
    echo "$0: only one of $crt and $key is present; provide both or neither" >&2
    exit 1
fi

case "$host" in
    *[!A-Za-z0-9.:-]*)
        echo "$0: TRACKII_HOSTNAME '$host' is not a host name or IP address" >&2
        exit 1
        ;;
    localhost) san="DNS:localhost,IP:127.0.0.1" ;;
    *:*) san="IP:$host" ;;            # IPv6 address
    *[!0-9.]*) san="DNS:$host" ;;     # contains a letter or hyphen: a name
    *) san="IP:$host" ;;              # digits and dots only: IPv4 address
esac

echo "$0: no certificate in $cert_dir, generating a self-signed one for $host"
mkdir -p "$cert_dir"
umask 077
openssl req -x509 -newkey rsa:2048 -sha256 -days 825 -nodes \
    -subj "/CN=$host" \
    -addext "subjectAltName=$san" \
    -keyout "$key.tmp" -out "$crt.tmp"
chmod 0644 "$crt.tmp"
mv "$key.tmp" "$key"
mv "$crt.tmp" "$crt"
