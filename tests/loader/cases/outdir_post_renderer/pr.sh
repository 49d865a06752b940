#!/bin/sh
sed "s/name: /name: pr-/"
